/// The one error type of the Postgres target. Server errors carry the SQLSTATE; every error carries the query's
/// SQL text (with `$n` placeholders, never the bound values) and the caller's file and line.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, coarsely. Extensible: new codes are new static members, so callers match with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The server rejected the statement; `sqlState` says why.
        public static let server = Code("server")
        /// Connecting failed or the connection broke (check `PostgresConnection.isBroken`).
        public static let connection = Code("connection")
        /// A column could not be decoded as the requested Swift type (including NULL into a non-optional).
        public static let decoding = Code("decoding")
        /// The transaction body swallowed a SQL error, so COMMIT rolled back instead.
        public static let transactionAborted = Code("transactionAborted")
        /// No pooled connection became free within the pool's acquire timeout.
        public static let poolTimeout = Code("poolTimeout")
        /// The pool was closed.
        public static let poolClosed = Code("poolClosed")
        /// A LISTEN channel name outside `[a-z_][a-z0-9_]*`.
        public static let invalidChannel = Code("invalidChannel")
        /// Bad use of the API (for example an unknown column name).
        public static let usage = Code("usage")
    }

    public var code: Code
    /// Five-character SQLSTATE for server errors, for example "23505"; nil otherwise.
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    /// The failing statement's SQL with `$n` placeholders; bound values are never recorded.
    public var query: String?
    public var file: String
    public var line: Int

    public init(
        code: Code, sqlState: String? = nil, message: String, detail: String? = nil, hint: String? = nil,
        query: String? = nil, file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.query = query
        self.file = file
        self.line = line
    }

    public var description: String {
        var s = "PostgresError.\(code)"
        if let sqlState { s += " [\(sqlState)]" }
        s += ": \(message)"
        if let detail { s += " (detail: \(detail))" }
        if let hint { s += " (hint: \(hint))" }
        if let query { s += " in query: \(query)" }
        s += " at \(file):\(line)"
        return s
    }

    // SQLSTATE checks; see https://www.postgresql.org/docs/current/errcodes-appendix.html
    public var isUniqueViolation: Bool { sqlState == "23505" }
    public var isForeignKeyViolation: Bool { sqlState == "23503" }
    public var isNotNullViolation: Bool { sqlState == "23502" }
    public var isCheckViolation: Bool { sqlState == "23514" }
    public var isExclusionViolation: Bool { sqlState == "23P01" }
    public var isSerializationFailure: Bool { sqlState == "40001" }
    public var isDeadlock: Bool { sqlState == "40P01" }
    /// Worth retrying the whole transaction.
    public var isTransient: Bool { isSerializationFailure || isDeadlock }
    public var isUndefinedTable: Bool { sqlState == "42P01" }
    public var isUndefinedColumn: Bool { sqlState == "42703" }
    public var isQueryCanceled: Bool { sqlState == "57014" }
    public var isLockNotAvailable: Bool { sqlState == "55P03" }
    public var isConnectionFailure: Bool { code == .connection || (sqlState?.hasPrefix("08") ?? false) }
}
