import CLibPQ
import DurationUnits
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One NOTIFY delivered to a listener.
public struct PostgresNotification: Sendable, Hashable {
    public var channel: String
    public var payload: String
    /// The server process that sent it (compare with `PostgresConnection.backendPID` to skip your own).
    public var pid: Int32

    public init(channel: String, payload: String, pid: Int32) {
        self.channel = channel
        self.payload = payload
        self.pid = pid
    }
}

/// LISTENs on its own connection and waits for notifications by polling the socket. Not Sendable: one thread owns
/// it. Closing (deinit) ends the session, which drops every LISTEN; `withChannel` scopes one explicitly.
public final class PostgresListener {
    public let connection: PostgresConnection
    public private(set) var channels: Set<String> = []

    public init(url: String, applicationName: String = "sweep-listener", file: String = #fileID, line: Int = #line)
        throws(PostgresError)
    {
        // No statement cache: a listener runs only LISTEN/UNLISTEN.
        connection = try PostgresConnection(
            url: url, applicationName: applicationName, statementCacheCapacity: 0, file: file, line: line)
    }

    /// The socket to add to your own poll loop; when it is readable, call `pendingNotifications()`.
    public var socket: Int32 { connection.socket }

    /// Channel names are ours, not users': `[a-z_][a-z0-9_]*`, at most 63 bytes (NAMEDATALEN - 1).
    public static func isValidChannel(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 63 else { return false }
        func lower(_ c: UInt8) -> Bool { c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") || c == UInt8(ascii: "_") }
        return lower(first) && bytes.allSatisfy { lower($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
    }

    public func listen(_ channel: String, file: String = #fileID, line: Int = #line) throws(PostgresError) {
        try Self.validate(channel, file: file, line: line)
        // LISTEN takes an identifier, not a parameter; validated above and quoted anyway.
        try connection.simpleQuery(unsafeSQL: "LISTEN \(PostgresQuery.quoteIdentifier(channel))", file: file, line: line)
        channels.insert(channel)
    }

    public func unlisten(_ channel: String, file: String = #fileID, line: Int = #line) throws(PostgresError) {
        try Self.validate(channel, file: file, line: line)
        try connection.simpleQuery(
            unsafeSQL: "UNLISTEN \(PostgresQuery.quoteIdentifier(channel))", file: file, line: line)
        channels.remove(channel)
    }

    /// LISTENs for the duration of `body`, then UNLISTENs whether `body` returned or threw.
    public func withChannel<T>(
        _ channel: String, file: String = #fileID, line: Int = #line, _ body: (PostgresListener) throws -> T
    ) throws -> T {
        try listen(channel, file: file, line: line)
        defer {
            // A failed UNLISTEN means the connection broke, and a broken session listens to nothing.
            try? unlisten(channel, file: file, line: line)
        }
        return try body(self)
    }

    /// Blocks up to `timeout` for notifications; returns as soon as at least one arrived, or [] on timeout.
    public func wait(timeout: Duration, file: String = #fileID, line: Int = #line) throws(PostgresError)
        -> [PostgresNotification]
    {
        // Some may already be buffered (they arrive with any query's reply).
        var found = drain()
        if !found.isEmpty { return found }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let remaining = clock.now.duration(to: deadline)
            if remaining <= .zero { return [] }
            let millis = Int32(clamping: remaining.millisecondsRoundedUp)
            var pfd = pollfd(fd: connection.socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, millis)
            if ready < 0 {
                if errno == EINTR { continue }
                throw PostgresError(
                    code: .connection, message: "poll failed: \(String(cString: strerror(errno)))", file: file,
                    line: line)
            }
            if ready == 0 { continue }  // loop re-checks the deadline
            found = try pendingNotifications(file: file, line: line)
            if !found.isEmpty { return found }
            // Readable but no notification (a ParameterStatus, a notice): wait for the rest of the time.
        }
    }

    /// Reads whatever the socket holds without blocking and returns the notifications in it. For callers that poll
    /// `socket` themselves.
    public func pendingNotifications(file: String = #fileID, line: Int = #line) throws(PostgresError)
        -> [PostgresNotification]
    {
        // libpq: PQconsumeInput returns 0 on trouble (the connection broke); PQerrorMessage says why.
        if PQconsumeInput(connection.handle) == 0 {
            throw PostgresError(code: .connection, message: trimmed(PQerrorMessage(connection.handle)), file: file, line: line)
        }
        return drain()
    }

    private func drain() -> [PostgresNotification] {
        var out: [PostgresNotification] = []
        while let n = PQnotifies(connection.handle) {
            out.append(
                PostgresNotification(
                    channel: String(cString: n.pointee.relname), payload: String(cString: n.pointee.extra),
                    pid: n.pointee.be_pid))
            PQfreemem(n)  // libpq: each PGnotify is one block, freed with PQfreemem
        }
        return out
    }

    private static func validate(_ channel: String, file: String, line: Int) throws(PostgresError) {
        guard isValidChannel(channel) else {
            throw PostgresError(
                code: .invalidChannel, message: "channel names must match [a-z_][a-z0-9_]{0,62}", file: file,
                line: line)
        }
    }
}

@available(*, unavailable)
extension PostgresListener: Sendable {}
