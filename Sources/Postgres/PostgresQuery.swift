/// A SQL statement whose interpolated values become bound parameters:
/// `"SELECT * FROM runs WHERE id = \(id) AND state = \(state)"` sends `… id = $1 AND state = $2` plus two binds.
/// Raw text needs an explicit `\(unsafeSQL: …)`. `description` is the SQL with `$n` only.
public struct PostgresQuery: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public internal(set) var sql: String
    public internal(set) var binds: [PostgresBind]
    /// Planned afresh on every execution (never a cached prepared statement): for statements whose table changes
    /// size by orders of magnitude between runs. A prepared statement's generic plan, made once while the table
    /// was empty (just after VACUUM ANALYZE), read the whole table on every later call when it held 20,000 rows.
    public private(set) var replansEachTime = false

    public init(unsafeSQL sql: String, binds: [PostgresBind] = []) {
        self.sql = sql
        self.binds = binds
    }

    public init(stringLiteral value: String) {
        self.sql = value
        self.binds = []
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.binds = stringInterpolation.binds
    }

    public var description: String { sql }

    /// This query, planned on each execution with the table's size at that moment (`replansEachTime`).
    public func plannedEachTime() -> PostgresQuery {
        var copy = self
        copy.replansEachTime = true
        return copy
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql: String
        var binds: [PostgresBind]

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds = []
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// A bound parameter (`$n`). Optionals bind NULL when nil.
        public mutating func appendInterpolation<T: PostgresEncodable>(_ value: T) {
            binds.append(value.postgresBind)
            sql += "$\(binds.count)"
        }

        /// A bound parameter that is NULL when nil. (An explicit Optional overload, so the compiler does not warn
        /// about interpolating optionals: here nil has a meaning.)
        public mutating func appendInterpolation<T: PostgresEncodable>(_ value: T?) {
            binds.append(value.postgresBind)
            sql += "$\(binds.count)"
        }

        /// Raw SQL, spliced in verbatim. Never pass anything derived from user input.
        public mutating func appendInterpolation(unsafeSQL raw: String) {
            sql += raw
        }

        /// A quoted identifier (`"My ""Table"""`), safe for any name.
        public mutating func appendInterpolation(identifier name: String) {
            sql += PostgresQuery.quoteIdentifier(name)
        }
    }

    /// Double-quotes an identifier, doubling embedded quotes. NUL cannot occur in identifiers and is dropped.
    public static func quoteIdentifier(_ name: String) -> String {
        var out = "\""
        for ch in name.unicodeScalars where ch != "\0" {
            if ch == "\"" { out += "\"\"" } else { out.unicodeScalars.append(ch) }
        }
        out += "\""
        return out
    }
}
