import Synchronization

/// Remembers when a check last succeeded, so a cheap caller can reuse a success younger than `freshness` instead of
/// checking again: `/api/v1/health` under load ran `SELECT 1` on every call, a database round trip that made it
/// slower than an authenticated `/me` (which the auth cache answers without one).
///
/// Once the success is stale, one caller checks again while the others keep answering from it (for at most
/// `grace`): otherwise, each second, every request thread that arrives before the first check returns waits on
/// its own round trip to a possibly busy database. A failure is never reused: after one, every caller checks (and answers the
/// error) until a check succeeds, exactly as before.
final class RecentSuccess: Sendable {
    /// Nanoseconds of `ContinuousClock` since `origin`; `Int64.min` for never.
    private let lastSuccess = Atomic<Int64>(.min)
    private let lastFailure = Atomic<Int64>(.min)
    private let checking = Atomic<Bool>(false)
    private let origin = ContinuousClock.now
    let freshness: Duration
    let grace: Duration

    init(freshness: Duration, grace: Duration = .seconds(10)) {
        self.freshness = freshness
        self.grace = grace
    }

    /// Runs `check` unless it succeeded within `freshness` (or, while another caller checks, within `grace`);
    /// rethrows its failure.
    func check(now: ContinuousClock.Instant = .now, _ check: () throws -> Void) rethrows {
        let elapsed = Self.nanoseconds(now - origin)
        let success = lastSuccess.load(ordering: .acquiring)
        let age = success == .min ? Int64.max : elapsed - success
        if age < Self.nanoseconds(freshness) { return }
        let failedSince = lastFailure.load(ordering: .acquiring) > success
        let leader = !failedSince && checking.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        if !failedSince, !leader, age < Self.nanoseconds(grace) { return }
        defer { if leader { checking.store(false, ordering: .releasing) } }
        do {
            try check()
        } catch {
            // Later than the success it read, even for a check that began before it: a failure must count.
            lastFailure.max(max(elapsed, success == .min ? elapsed : success + 1), ordering: .releasing)
            throw error
        }
        lastSuccess.max(elapsed, ordering: .releasing)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
