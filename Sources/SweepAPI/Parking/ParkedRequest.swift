import Web

/// A request that waits for something in the database without a thread (DESIGN §3): `wait` on a launch today,
/// foreground `/call` and executor long-polls later. The registry runs `check` when a NOTIFY on `channel` (with
/// `key` as payload, or any payload when `key` is nil) says the answer may be ready, and `timedOut` at `deadline`.
public struct ParkedRequest: Sendable {
    public let channel: String
    public let key: String?
    public let deadline: ContinuousClock.Instant
    /// What the request waits for began inside `park`'s `prepare` (a launch it created): no notification about it
    /// can predate the request, so the registry need not check it on arrival when it listened already. False (an
    /// existing launch, a run's log) keeps the check on arrival.
    public let startedHere: Bool
    /// The answer if it is ready, nil to keep waiting. Runs on the registry's thread: keep it to a query or two.
    public let check: @Sendable () throws -> Response?
    /// The answer at the deadline (for `wait`: 202 with the launch's summary and `Location`).
    public let timedOut: @Sendable () throws -> Response
    /// Set for requests competing for the same work: a notification of `key` wakes one of them (`SingleWake`)
    /// instead of running every one's `check`. Needs a `key`.
    public let singleWake: SingleWake?

    public init(
        channel: String, key: String?, deadline: ContinuousClock.Instant, startedHere: Bool = false,
        check: @escaping @Sendable () throws -> Response?, timedOut: @escaping @Sendable () throws -> Response,
        singleWake: SingleWake? = nil
    ) {
        precondition(singleWake == nil || key != nil, "a single wake needs a key")
        self.channel = channel
        self.key = key
        self.deadline = deadline
        self.startedHere = startedHere
        self.check = check
        self.timedOut = timedOut
        self.singleWake = singleWake
    }
}
