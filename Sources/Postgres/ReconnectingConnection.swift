import Logging

/// One thread's connection that outlives PostgreSQL restarts: `connection` is the live connection, and `reconnect`
/// replaces a broken one (with capped backoff) instead of failing the caller's loop. `prepare` runs on every new
/// connection, so session settings survive a reconnect. Not Sendable: it belongs to the loop that owns it.
public final class ReconnectingConnection {
    public let url: String
    public let applicationName: String
    /// The role every new connection switches to (`PostgresConnection`'s `role`), e.g. the scheduler's system role.
    public let role: String?
    private let prepare: (PostgresConnection) throws -> Void
    private let logger: Logger
    private var current: PostgresConnection?
    private var backoff = ReconnectBackoff()

    public init(
        url: String, applicationName: String, role: String? = nil, logger: Logger = Logger(label: "sweep.postgres"),
        prepare: @escaping (PostgresConnection) throws -> Void = { _ in }
    ) {
        self.url = url
        self.applicationName = applicationName
        self.role = role
        self.logger = logger
        self.prepare = prepare
    }

    /// The current connection. Call `connect(until:)` first; after a failure, `reconnectIfBroken(until:)`.
    public var connection: PostgresConnection {
        guard let current else { preconditionFailure("ReconnectingConnection used before connect") }
        return current
    }

    /// True when there is no connection or the current one is unusable.
    public var isBroken: Bool { current?.isBroken ?? true }

    /// Connects, retrying with capped backoff until it succeeds or `stop` says to give up; false when given up.
    @discardableResult
    public func connect(until stop: () -> Bool) -> Bool {
        while !stop() {
            do {
                let fresh = try PostgresConnection(url: url, applicationName: applicationName, role: role, logger: logger)
                try prepare(fresh)
                current = fresh
                if backoff.failures > 0 {
                    logger.info("database connection restored", metadata: ["after_failures": "\(backoff.failures)"])
                }
                backoff.succeeded()
                return true
            } catch {
                if backoff.failures == 0 || backoff.failures % 20 == 0 {
                    logger.warning("cannot reach the database; retrying", metadata: ["error": "\(error)", "failures": "\(backoff.failures)"])
                }
                backoff.pause()
            }
        }
        return false
    }

    /// After a failed step: replaces the connection when it is broken (true), leaves it alone otherwise (false).
    @discardableResult
    public func reconnectIfBroken(until stop: () -> Bool) -> Bool {
        guard isBroken else { return false }
        current = nil  // PQfinish the dead one now, not after the new one is up
        return connect(until: stop)
    }
}

@available(*, unavailable)
extension ReconnectingConnection: Sendable {}
