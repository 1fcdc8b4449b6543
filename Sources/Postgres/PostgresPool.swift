import BlockingCalls
import Dispatch
import Logging
import Synchronization
import DurationUnits

/// A fixed-size pool of connections shared by threads. Connections open lazily, up to `maxConnections`;
/// `withConnection` blocks the calling thread until one is free (or `acquireTimeout` passes). A connection that is
/// broken, or left mid-transaction in a way ROLLBACK cannot fix, is discarded and replaced on demand.
public final class PostgresPool: Sendable {
    public struct Configuration: Sendable {
        public var url: String
        public var maxConnections: Int
        public var applicationName: String
        public var acquireTimeout: Duration
        public var statementCacheCapacity: Int
        /// The role every connection of the pool `SET ROLE`s to at connect (nil: the login role).
        public var role: String?

        public init(
            url: String, maxConnections: Int = 8, applicationName: String = "sweep",
            acquireTimeout: Duration = .seconds(30), statementCacheCapacity: Int = 128, role: String? = nil
        ) {
            precondition(maxConnections > 0, "a pool needs at least one connection")
            self.url = url
            self.maxConnections = maxConnections
            self.applicationName = applicationName
            self.acquireTimeout = acquireTimeout
            self.statementCacheCapacity = statementCacheCapacity
            self.role = role
        }
    }

    /// Moves a connection into or out of the mutex-protected idle list.
    // @unchecked: a connection is owned by exactly one side at a time — the idle list (under the mutex) or the one
    // thread that checked it out — so it is never used concurrently.
    private struct Handoff: @unchecked Sendable {
        let connection: PostgresConnection
    }

    private struct State {
        var idle: [Handoff] = []
        var open = 0
        var closed = false
    }

    public let configuration: Configuration
    private let logger: Logger
    private let state = Mutex(State())
    /// Counts connections a caller may take right now: idle ones plus ones not yet opened.
    private let slots: DispatchSemaphore

    public init(_ configuration: Configuration, logger: Logger = Logger(label: "sweep.postgres.pool")) {
        self.configuration = configuration
        self.logger = logger
        slots = DispatchSemaphore(value: configuration.maxConnections)
    }

    public convenience init(url: String, maxConnections: Int = 8, applicationName: String = "sweep") {
        self.init(Configuration(url: url, maxConnections: maxConnections, applicationName: applicationName))
    }

    /// Borrows a connection for the duration of `body`, blocking until one is free. Throws `.poolTimeout`,
    /// `.poolClosed`, a connection error, or whatever `body` throws.
    /// (Not `rethrows`: acquiring can fail on its own.)
    @discardableResult
    public func withConnection<T>(
        file: String = #fileID, line: Int = #line, _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        let connection = try acquire(file: file, line: line)
        defer { release(connection) }
        return try body(connection)
    }

    /// Borrows a connection for `body` only if one is free now; nil, with `body` not run, if none is. For work that
    /// may run beside a connection its caller already holds: waiting for a second one could wait forever (every
    /// thread holding one and waiting for another).
    public func withConnectionIfFree<T>(
        file: String = #fileID, line: Int = #line, _ body: (PostgresConnection) throws -> T
    ) throws -> T? {
        guard let connection = try take(until: .now(), file: file, line: line) else { return nil }
        defer { release(connection) }
        return try body(connection)
    }

    /// Convenience: a transaction on a pooled connection.
    @discardableResult
    public func transaction<T>(
        isolation: PostgresConnection.IsolationLevel? = nil, file: String = #fileID, line: Int = #line,
        _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        try withConnection(file: file, line: line) { connection in
            try connection.transaction(isolation: isolation, file: file, line: line, body)
        }
    }

    /// Counts for monitoring: connections open (idle or in use) and idle.
    public var statistics: (open: Int, idle: Int) {
        state.withLock { ($0.open, $0.idle.count) }
    }

    /// Closes idle connections now and in-use ones as they come back; later and waiting callers get `.poolClosed`.
    public func close() {
        let idle = state.withLock { s -> [Handoff] in
            s.closed = true
            let idle = s.idle
            s.open -= idle.count
            s.idle = []
            return idle
        }
        _ = idle  // PQfinish happens here, outside the lock, as the handoffs are released
        slots.signal()  // wake one waiter; each woken waiter passes the wake-up on (see acquire)
    }

    private enum Checkout {
        case idle(Handoff)
        case open
        case closed
    }

    private func acquire(file: String, line: Int) throws(PostgresError) -> PostgresConnection {
        let nanos = configuration.acquireTimeout.nanoseconds
        guard let connection = try take(until: .now() + .nanoseconds(Int(clamping: nanos)), file: file, line: line) else {
            throw PostgresError(
                code: .poolTimeout,
                message: "no connection free within \(configuration.acquireTimeout) "
                    + "(max \(configuration.maxConnections))", file: file, line: line)
        }
        return connection
    }

    /// A connection, waiting for a free slot until `deadline`; nil if none came free by then.
    private func take(until deadline: DispatchTime, file: String, line: Int) throws(PostgresError) -> PostgresConnection? {
        if BlockingCall.around({ slots.wait(timeout: deadline) }) == .timedOut { return nil }
        let checkout = state.withLock { s -> Checkout in
            if s.closed { return .closed }
            if let handoff = s.idle.popLast() { return .idle(handoff) }
            s.open += 1
            return .open
        }
        switch checkout {
        case .closed:
            slots.signal()
            throw PostgresError(code: .poolClosed, message: "the pool is closed", file: file, line: line)
        case .idle(let handoff):
            if handoff.connection.isUsableWhenIdle { return handoff.connection }
            // The server ended this session (a restart): open a fresh one in its place (same slot, same count).
            logger.info("pool: replacing a connection the server closed")
            fallthrough
        case .open:
            do {
                return try PostgresConnection(
                    url: configuration.url, applicationName: configuration.applicationName,
                    statementCacheCapacity: configuration.statementCacheCapacity, role: configuration.role, logger: logger,
                    file: file, line: line)
            } catch {
                state.withLock { $0.open -= 1 }
                slots.signal()
                throw error
            }
        }
    }

    private func release(_ connection: PostgresConnection) {
        if !connection.isBroken && connection.isInTransaction {
            // The body left a transaction open (it ran BEGIN itself, or threw past one): never hand that on.
            do {
                try connection.simpleQuery(unsafeSQL: "ROLLBACK")
            } catch {
                logger.warning("pool: ROLLBACK of an abandoned transaction failed: \(error)")
            }
        }
        let reusable = connection.isIdle
        if !reusable { logger.info("pool: discarding a broken connection") }
        let handoff = Handoff(connection: connection)
        state.withLock { s in
            if s.closed || !reusable {
                s.open -= 1
            } else {
                s.idle.append(handoff)
            }
        }
        slots.signal()
    }
}
