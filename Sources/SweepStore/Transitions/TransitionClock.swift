import Foundation

/// The time transitions take as now (`coalesce($now, now())` in every statement of `TaskRunSQL`). In production
/// it is `.database`: PostgreSQL's transaction time decides, as one clock for every process. Tests pass a clock
/// they move, so delays, leases and rescues happen without sleeping through them.
public struct TransitionClock: Sendable {
    private let read: @Sendable () -> Date?

    public init(_ read: @escaping @Sendable () -> Date?) {
        self.read = read
    }

    public static let database = TransitionClock { nil }

    /// The time to bind as `$now`; nil lets the database decide.
    public var now: Date? { read() }
}
