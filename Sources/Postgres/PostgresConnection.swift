import CLibPQ
import BlockingCalls
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// One libpq connection (`PGconn`), owned and finished by this object. Every call blocks the calling thread, so use
/// it from a dedicated thread (worker, scheduler), never from the Swift cooperative pool. Not Sendable: a
/// connection belongs to one thread at a time; `PostgresPool` hands connections between threads.
public final class PostgresConnection {
    let handle: OpaquePointer
    public let logger: Logger

    /// Named prepared statements keyed by SQL text and parameter types. A statement is prepared the second time it
    /// is seen, so one-off SQL (migrations, dynamic filters) does not fill the cache.
    private struct StatementKey: Hashable {
        let sql: String
        let types: [Oid]
    }
    private var preparedStatements: [StatementKey: String] = [:]
    private var seenOnce: Set<StatementKey> = []
    private var nextStatementNumber = 0
    private let statementCacheCapacity: Int
    private var savepointNumber = 0

    /// - Parameters:
    ///   - url: a libpq connection URI or `key=value` string, e.g. `postgresql://sweep@127.0.0.1:5432/sweep`.
    ///   - applicationName: shown in `pg_stat_activity`.
    ///   - statementCacheCapacity: how many statements to keep prepared server-side; 0 disables the cache.
    ///   - role: a role to `SET ROLE` to for the whole session (one the login role is a member of), in the same
    ///     round trip as the session settings.
    public init(
        url: String, applicationName: String = "sweep", statementCacheCapacity: Int = 128, role: String? = nil,
        logger: Logger = Logger(label: "sweep.postgres"), file: String = #fileID, line: Int = #line
    ) throws(PostgresError) {
        self.logger = logger
        self.statementCacheCapacity = statementCacheCapacity
        // expand_dbname=1: the first "dbname" holds the URL; later keywords override what it says.
        let keywords = ["dbname", "application_name", "client_encoding"]
        let values = [url, applicationName, "UTF8"]
        let conn: OpaquePointer? = withCStringArray(keywords) { k in
            withCStringArray(values) { v in BlockingCall.around { PQconnectdbParams(k, v, 1) } }
        }
        guard let conn else {
            throw PostgresError(code: .connection, message: "libpq could not allocate a connection", file: file, line: line)
        }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = trimmed(PQerrorMessage(conn))
            PQfinish(conn)  // libpq: PQfinish even when the connection attempt failed
            throw PostgresError(code: .connection, message: message, file: file, line: line)
        }
        handle = conn
        // Pin what the decoders rely on. One round trip, once per connection; the startup packet's "options"
        // would be free but would override options the caller put in the URL.
        var setup = "SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, MDY'; SET bytea_output TO 'hex'"
        if let role {
            // A role name is the caller's constant, never input: a plain identifier, checked all the same.
            precondition(!role.isEmpty && role.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }, "role must be a plain identifier")
            setup += "; SET ROLE " + role
        }
        try simpleQuery(unsafeSQL: setup, file: file, line: line)
    }

    deinit { PQfinish(handle) }

    /// True when the connection is unusable (the server went away, the socket broke). The pool discards these.
    public var isBroken: Bool { PQstatus(handle) != CONNECTION_OK }

    /// Whether a transaction is open (including a failed one awaiting ROLLBACK).
    public var isInTransaction: Bool {
        let s = PQtransactionStatus(handle)
        return s == PQTRANS_INTRANS || s == PQTRANS_INERROR
    }

    /// Whether the connection is idle between transactions, ready to be reused.
    var isIdle: Bool { PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) == PQTRANS_IDLE }

    /// Whether an idle connection still works, checked without a round trip: a server that restarted or ended the
    /// session has sent its goodbye and closed the socket, which shows as readable input. (Without this check the
    /// first request after a PostgreSQL restart fails on each pooled connection in turn.)
    var isUsableWhenIdle: Bool {
        guard PQstatus(handle) == CONNECTION_OK else { return false }
        var pfd = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        // Readable while idle means the server spoke unasked: nearly always its FATAL goodbye before closing
        // (PQconsumeInput would read it and still report the connection fine until the next query). A NOTICE
        // arriving while idle would also land here; replacing the connection then costs one connect.
        return poll(&pfd, 1, 0) == 0
    }

    /// The server process serving this connection (what `PostgresNotification.pid` reports for our own NOTIFYs).
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// The socket, for callers that want to integrate this connection into their own poll loop.
    public var socket: Int32 { PQsocket(handle) }

    // MARK: Queries

    /// Runs one statement with bound parameters and returns its rows (text format).
    @discardableResult
    public func query(_ query: PostgresQuery, file: String = #fileID, line: Int = #line) throws(PostgresError)
        -> PostgresRows
    {
        let res = try run(query, file: file, line: line)
        let tag = String(cString: PQcmdStatus(res))
        return PostgresRows(result: PostgresResult(handle: res, query: query.sql), commandTag: tag)
    }

    /// Runs one statement and returns the number of rows it affected (0 for commands that affect none).
    @discardableResult
    public func execute(_ query: PostgresQuery, file: String = #fileID, line: Int = #line) throws(PostgresError) -> Int {
        let res = try run(query, file: file, line: line)
        defer { PQclear(res) }
        return Int(String(cString: PQcmdTuples(res))) ?? 0
    }

    /// Runs a script of one or more statements with no parameters (migrations, SET, LISTEN). Stops at the first
    /// error. Only for SQL written by us: nothing here is escaped.
    public func simpleQuery(unsafeSQL sql: String, file: String = #fileID, line: Int = #line) throws(PostgresError) {
        let res = BlockingCall.around { PQexec(handle, sql) }
        try check(res, query: sql, file: file, line: line)
        PQclear(res)
    }

    /// `SELECT pg_notify(channel, payload)`: NOTIFY itself takes no bind parameters. Delivered at commit when
    /// called inside a transaction.
    public func notify(channel: String, payload: String = "", file: String = #fileID, line: Int = #line)
        throws(PostgresError)
    {
        try execute("SELECT pg_notify(\(channel), \(payload))", file: file, line: line)
    }

    // MARK: Transactions

    public enum IsolationLevel: String, Sendable {
        case readCommitted = "READ COMMITTED"
        case repeatableRead = "REPEATABLE READ"
        case serializable = "SERIALIZABLE"
    }

    /// Runs `body` in a transaction: BEGIN, then COMMIT if it returns, ROLLBACK if it throws (rethrowing the
    /// original error). Called inside a transaction, it uses a SAVEPOINT instead, so stores can nest freely.
    /// If `body` swallowed a SQL error, the server turns COMMIT into ROLLBACK; that throws `.transactionAborted`
    /// rather than pretending the work was saved.
    @discardableResult
    public func transaction<T>(
        isolation: IsolationLevel? = nil, file: String = #fileID, line: Int = #line,
        _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        if isInTransaction {
            savepointNumber += 1
            let name = "sweep_sp_\(savepointNumber)"
            defer { savepointNumber -= 1 }
            try simpleQuery(unsafeSQL: "SAVEPOINT \(name)", file: file, line: line)
            do {
                let value = try body(self)
                try simpleQuery(unsafeSQL: "RELEASE SAVEPOINT \(name)", file: file, line: line)
                return value
            } catch {
                do {
                    try simpleQuery(unsafeSQL: "ROLLBACK TO SAVEPOINT \(name)", file: file, line: line)
                } catch let rollbackError {
                    logger.warning("ROLLBACK TO SAVEPOINT failed: \(rollbackError)")
                }
                throw error
            }
        }
        let begin = isolation.map { "BEGIN ISOLATION LEVEL \($0.rawValue)" } ?? "BEGIN"
        try simpleQuery(unsafeSQL: begin, file: file, line: line)
        do {
            let value = try body(self)
            let res = BlockingCall.around { PQexec(handle, "COMMIT") }
            try check(res, query: "COMMIT", file: file, line: line)
            let tag = String(cString: PQcmdStatus(res))
            PQclear(res)
            if tag == "ROLLBACK" {
                throw PostgresError(
                    code: .transactionAborted,
                    message: "the transaction had failed (an error inside it was caught), so COMMIT rolled back",
                    query: "COMMIT", file: file, line: line)
            }
            return value
        } catch {
            if isInTransaction {
                do {
                    try simpleQuery(unsafeSQL: "ROLLBACK", file: file, line: line)
                } catch let rollbackError {
                    logger.warning("ROLLBACK failed: \(rollbackError)")
                }
            }
            throw error
        }
    }

    // MARK: Execution

    /// Executes with text-format parameters (binary for bytea) and text results. Returns a result the caller
    /// must PQclear (or hand to PostgresResult).
    private func run(_ query: PostgresQuery, file: String, line: Int) throws(PostgresError) -> OpaquePointer {
        let n = query.binds.count
        var types = [Oid](repeating: 0, count: n)
        var lengths = [Int32](repeating: 0, count: n)
        var formats = [Int32](repeating: 0, count: n)
        var offsets = [Int](repeating: -1, count: n)
        // All parameter bytes in one buffer (one allocation); byte 0 is padding so no offset is ever a nil base.
        var buffer: [UInt8] = [0]
        for (k, bind) in query.binds.enumerated() {
            types[k] = bind.typeOID
            switch bind.storage {
            case .null:
                break
            case .text(let s):
                // libpq reads text parameters up to the first NUL; PostgreSQL text cannot hold NUL anyway.
                // On the contiguous UTF-8 of a native string, not through UTF8View's iterator: a JSON parameter of a
                // batch of results is a hundred kilobytes, and that byte walk was a share of a scheduler's CPU.
                if s.utf8.withContiguousStorageIfAvailable({ $0.contains(0) }) ?? s.utf8.contains(0) {
                    throw PostgresError(
                        code: .usage, message: "parameter $\(k + 1) contains a NUL character, which text cannot hold",
                        query: query.sql, file: file, line: line)
                }
                offsets[k] = buffer.count
                buffer.append(contentsOf: s.utf8)
                buffer.append(0)
            case .binary(let bytes):
                offsets[k] = buffer.count
                buffer.append(contentsOf: bytes)
                lengths[k] = Int32(bytes.count)
                formats[k] = 1
            }
        }
        let statement = query.replansEachTime ? nil : preparedStatementName(query.sql, types, file: file, line: line)
        let res: OpaquePointer? = buffer.withUnsafeBufferPointer { base in
            let raw = UnsafeRawPointer(base.baseAddress!)
            let values: [UnsafePointer<CChar>?] = offsets.map {
                $0 < 0 ? nil : (raw + $0).assumingMemoryBound(to: CChar.self)
            }
            return BlockingCall.around {
                if let statement {
                    return PQexecPrepared(handle, statement, Int32(n), values, lengths, formats, 0)
                }
                return PQexecParams(handle, query.sql, Int32(n), types, values, lengths, formats, 0)
            }
        }
        do {
            try check(res, query: query.sql, file: file, line: line)
        } catch {
            // The statement vanished (DISCARD ALL) or its result shape changed (ALTER TABLE): forget it so the
            // next call prepares afresh.
            if statement != nil, error.sqlState == "26000" || error.sqlState == "0A000" {
                preparedStatements[StatementKey(sql: query.sql, types: types)] = nil
            }
            throw error
        }
        return res!
    }

    /// The name of a server-side prepared statement for this SQL, preparing it if it is worth it; nil means run it
    /// unnamed. Failing to prepare is not an error here: the unnamed path reports the same error properly.
    private func preparedStatementName(_ sql: String, _ types: [Oid], file: String, line: Int) -> String? {
        guard statementCacheCapacity > 0 else { return nil }
        let key = StatementKey(sql: sql, types: types)
        if let name = preparedStatements[key] { return name }
        guard preparedStatements.count < statementCacheCapacity else { return nil }
        guard seenOnce.contains(key) else {
            if seenOnce.count >= statementCacheCapacity * 8 { seenOnce.removeAll(keepingCapacity: true) }
            seenOnce.insert(key)
            return nil
        }
        // Inside a failed transaction PREPARE would fail too; leave it to the unnamed path.
        guard PQtransactionStatus(handle) != PQTRANS_INERROR else { return nil }
        seenOnce.remove(key)
        nextStatementNumber += 1
        let name = "sweep_\(nextStatementNumber)"
        let res = BlockingCall.around { PQprepare(handle, name, sql, Int32(types.count), types) }
        defer { PQclear(res) }
        guard let res, PQresultStatus(res) == PGRES_COMMAND_OK else { return nil }
        preparedStatements[key] = name
        return name
    }

    /// Turns a failed result into a PostgresError, clearing it. `res` stays valid when this returns normally.
    private func check(_ res: OpaquePointer?, query: String, file: String, line: Int) throws(PostgresError) {
        guard let res else {
            throw PostgresError(
                code: .connection, message: trimmed(PQerrorMessage(handle)), query: query, file: file, line: line)
        }
        let status = PQresultStatus(res)
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY { return }
        func field(_ code: UInt8) -> String? {
            PQresultErrorField(res, Int32(code)).map { String(cString: $0) }
        }
        let sqlState = field(UInt8(ascii: "C"))
        var message = field(UInt8(ascii: "M")) ?? trimmed(PQresultErrorMessage(res))
        if status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH {
            message = "COPY is not supported by this wrapper"
        }
        if message.isEmpty { message = trimmed(PQerrorMessage(handle)) }
        let error = PostgresError(
            code: sqlState == nil && isBroken ? .connection : .server, sqlState: sqlState, message: message,
            detail: field(UInt8(ascii: "D")), hint: field(UInt8(ascii: "H")), query: query, file: file, line: line)
        PQclear(res)  // libpq: PQclear every result, failed ones too
        throw error
    }
}

@available(*, unavailable)
extension PostgresConnection: Sendable {}

func trimmed(_ message: UnsafePointer<CChar>?) -> String {
    guard let message else { return "unknown libpq error" }
    var s = String(cString: message)
    while let last = s.last, last.isWhitespace { s.removeLast() }
    return s
}

/// Calls `body` with a NULL-terminated `const char *const *` for `strings`.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
