import CLibPQ

extension PostgresRow {
    /// The cell's text as the server sent it (nil for NULL), lent to `body` without a copy: for answers spliced
    /// together from many cells (a launch status's 1,000 runs), where a String per cell was most of the cost. The
    /// bytes live only as long as the result, so they must not escape `body`.
    public func withBytes<R>(at column: Int, _ body: (UnsafeBufferPointer<UInt8>?) throws -> R) rethrows -> R {
        precondition(column >= 0 && column < result.columnNames.count, "column index out of range")
        let h = result.handle
        let r = Int32(index)
        let c = Int32(column)
        // libpq: PQgetvalue returns "" (not NULL) for a NULL cell; PQgetisnull tells them apart.
        guard PQgetisnull(h, r, c) == 0 else { return try body(nil) }
        let p = UnsafeRawPointer(PQgetvalue(h, r, c)!).assumingMemoryBound(to: UInt8.self)
        return try withExtendedLifetime(result) { try body(UnsafeBufferPointer(start: p, count: Int(PQgetlength(h, r, c)))) }
    }
}

extension PostgresRow {
    /// The text of column `name` as the server sent it, copied out (nil for NULL or no such column): for values passed
    /// on as they are (a run's stored JSON input sent to its function) rather than decoded.
    public func bytes(column name: String) -> [UInt8]? {
        guard let column = result.columnIndex[name] else { return nil }
        return withBytes(at: column) { $0.map(Array.init) }
    }
}
