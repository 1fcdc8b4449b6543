import CLibPQ

/// Owns one PGresult and frees it. Rows and cells keep it alive; like the connection it is not Sendable.
final class PostgresResult {
    let handle: OpaquePointer
    let query: String
    let rowCount: Int
    let columnNames: [String]
    let columnIndex: [String: Int]

    init(handle: OpaquePointer, query: String) {
        self.handle = handle
        self.query = query
        rowCount = Int(PQntuples(handle))
        let n = Int(PQnfields(handle))
        var names: [String] = []
        names.reserveCapacity(n)
        var index: [String: Int] = [:]
        for k in 0..<n {
            let name = String(cString: PQfname(handle, Int32(k)))
            names.append(name)
            if index[name] == nil { index[name] = k }  // first wins, as in SQL's ambiguous-name habits
        }
        columnNames = names
        columnIndex = index
    }

    deinit { PQclear(handle) }
}

@available(*, unavailable)
extension PostgresResult: Sendable {}

/// The rows of a query, in order. A random-access collection of `PostgresRow`.
public struct PostgresRows: RandomAccessCollection {
    let result: PostgresResult?
    /// The command tag, for example "INSERT 0 1" or "SELECT 3".
    public let commandTag: String

    public var startIndex: Int { 0 }
    public var endIndex: Int { result?.rowCount ?? 0 }
    public subscript(position: Int) -> PostgresRow {
        precondition(position >= 0 && position < endIndex, "row index out of range")
        return PostgresRow(result: result!, index: position)
    }

    /// Column names in select-list order.
    public var columns: [String] { result?.columnNames ?? [] }
}

@available(*, unavailable)
extension PostgresRows: Sendable {}

/// One row. Decode columns by position or by name:
/// `try row.decode(Int64.self, at: 0)`, `try row.decode(String?.self, column: "name")`, `try row["name", as: String.self]`.
public struct PostgresRow {
    let result: PostgresResult
    let index: Int

    public var columnCount: Int { result.columnNames.count }

    public func decode<T: PostgresDecodable>(
        _ type: T.Type = T.self, at column: Int, file: String = #fileID, line: Int = #line
    ) throws(PostgresError) -> T {
        guard column >= 0, column < result.columnNames.count else {
            throw PostgresError(
                code: .usage, message: "column index \(column) out of range (\(result.columnNames.count) columns)",
                query: result.query, file: file, line: line)
        }
        let h = result.handle
        let r = Int32(index)
        let c = Int32(column)
        let bytes: UnsafeBufferPointer<UInt8>?
        if PQgetisnull(h, r, c) == 1 {
            bytes = nil
        } else {
            let p = UnsafeRawPointer(PQgetvalue(h, r, c)!).assumingMemoryBound(to: UInt8.self)
            bytes = UnsafeBufferPointer(start: p, count: Int(PQgetlength(h, r, c)))
        }
        let cell = PostgresCell(
            column: result.columnNames[column], typeOID: PQftype(h, c), bytes: bytes, query: result.query,
            file: file, line: line)
        return try withExtendedLifetime(result) { () throws(PostgresError) -> T in try T.decode(from: cell) }
    }

    public func decode<T: PostgresDecodable>(
        _ type: T.Type = T.self, column name: String, file: String = #fileID, line: Int = #line
    ) throws(PostgresError) -> T {
        guard let k = result.columnIndex[name] else {
            throw PostgresError(
                code: .usage, message: "no column named \"\(name)\" (columns: \(result.columnNames))",
                query: result.query, file: file, line: line)
        }
        return try decode(type, at: k, file: file, line: line)
    }

    public subscript<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) -> T {
        get throws(PostgresError) { try decode(type, column: name) }
    }

    public func isNull(at column: Int) -> Bool {
        PQgetisnull(result.handle, Int32(index), Int32(column)) == 1
    }
}

@available(*, unavailable)
extension PostgresRow: Sendable {}
