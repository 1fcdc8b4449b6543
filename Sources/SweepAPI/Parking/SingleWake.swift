import Web

/// How a notification wakes parked requests that compete for the same work (executor long-polls of one user and
/// type): one at a time, oldest first, instead of all of them. Waking all of N idle executors when one run became
/// claimable costs N claims of which N-1 find nothing; here a notification wakes one waiter, which hands on to the
/// next only when its claim says work is left, so a burst of M runs wakes about as many waiters as it needs. A
/// waiter that finds nothing stops the hand-on (someone else took the work). The registry's periodic re-check
/// (`check`) stays the fallback for whatever a lost notification or a concurrent claim leaves behind.
public struct SingleWake: Sendable {
    /// What a woken waiter's `take` found.
    public struct Taken: Sendable {
        /// The answer, or nil when it found nothing (it keeps waiting, and no further waiter is woken).
        public let response: Response?
        /// Whether work is left that the next waiter of the key should try to take.
        public let workLeft: Bool

        public init(response: Response?, workLeft: Bool) {
            self.response = response
            self.workLeft = workLeft
        }
    }

    /// Runs on the registry's thread when a notification picks this request (keep it to one claim).
    public let take: @Sendable () throws -> Taken
    /// When the request began looking for work (before its own first claim): a notification of its key that the
    /// registry read after this, before the request was registered, makes its first check a `take`, so work
    /// announced in that gap is not left to the periodic re-check.
    public let since: ContinuousClock.Instant

    public init(since: ContinuousClock.Instant, take: @escaping @Sendable () throws -> Taken) {
        self.since = since
        self.take = take
    }
}
