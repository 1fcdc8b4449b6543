import Synchronization

/// Remembers when a check last succeeded, so a cheap caller can reuse a success younger than `freshness` instead of
/// checking again: `/api/v1/health` under load ran `SELECT 1` on every call, a database round trip that made it
/// slower than an authenticated `/me` (which the auth cache answers without one). A failure is never remembered:
/// while the check fails, every caller runs it (and answers its error), exactly as before.
final class RecentSuccess: Sendable {
    /// Nanoseconds of `ContinuousClock` since `origin` at the last success; `Int64.min` before the first one.
    private let last = Atomic<Int64>(.min)
    private let origin = ContinuousClock.now
    let freshness: Duration

    init(freshness: Duration) {
        self.freshness = freshness
    }

    /// Runs `check` unless it succeeded within `freshness`; rethrows its failure.
    func check(now: ContinuousClock.Instant = .now, _ check: () throws -> Void) rethrows {
        let elapsed = Self.nanoseconds(now - origin)
        let previous = last.load(ordering: .acquiring)
        if previous != .min, elapsed - previous < Self.nanoseconds(freshness) { return }
        try check()
        last.store(elapsed, ordering: .releasing)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
