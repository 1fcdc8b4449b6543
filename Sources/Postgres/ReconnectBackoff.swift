#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How long to wait before the next attempt to reach the database: doubling from `initial` up to `maximum`, reset
/// by a success. A restart of PostgreSQL takes a second or two; a fixed long pause would add that much to every
/// outage, and retrying in a tight loop would fill the logs and the server's connection slots.
public struct ReconnectBackoff: Sendable {
    public static let defaultInitial: Duration = .milliseconds(50)
    public static let defaultMaximum: Duration = .seconds(2)

    public let initial: Duration
    public let maximum: Duration
    /// The pause the next failure will ask for.
    public private(set) var next: Duration
    /// Consecutive failures since the last success.
    public private(set) var failures = 0

    public init(initial: Duration = defaultInitial, maximum: Duration = defaultMaximum) {
        precondition(initial > .zero && maximum >= initial, "backoff needs 0 < initial <= maximum")
        self.initial = initial
        self.maximum = maximum
        next = initial
    }

    /// Records a failure and returns how long to pause before trying again.
    public mutating func failed() -> Duration {
        let pause = next
        failures += 1
        next = min(maximum, next * 2)
        return pause
    }

    /// Records a success: the next failure starts again at `initial`.
    public mutating func succeeded() {
        next = initial
        failures = 0
    }

    /// Records a failure and sleeps the pause on the calling thread (a dedicated thread, never the cooperative pool).
    public mutating func pause() {
        let pause = failed()
        let (seconds, atto) = pause.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(atto / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
