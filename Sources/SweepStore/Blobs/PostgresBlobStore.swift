import Postgres

/// The embedded blob store: a blob is rows of `blob_chunks`, `chunkBytes` each (the last one shorter; an empty
/// blob is one empty chunk, so "empty" and "absent" differ). The one home of `blob_chunks` SQL.
///
/// A put is one tenant transaction (one pooled connection) inserting chunk after chunk as they are read, so a
/// client that hangs up leaves nothing behind (ROLLBACK), and memory stays at one chunk. A get reads one chunk per
/// statement, in one snapshot, and hands it on before reading the next.
public struct PostgresBlobStore: BlobStore {
    /// 1 MiB: big enough that per-row overhead and round trips are small beside the bytes, small enough that a
    /// chunk (and its hex form in a result, twice the size) is cheap to hold.
    public static let defaultChunkBytes = 1 << 20

    let database: Database
    let chunkBytes: Int

    public init(database: Database, chunkBytes: Int = Self.defaultChunkBytes) {
        precondition(chunkBytes > 0)
        self.database = database
        self.chunkBytes = chunkBytes
    }

    public var name: String { "postgres" }

    public func put(_ key: BlobKey, length: Int64, from read: (UnsafeMutableRawBufferPointer) throws -> Int) throws {
        try database.tenant(key.userID) { tx in
            var chunk = [UInt8](repeating: 0, count: chunkBytes)
            var received: Int64 = 0
            var seq: Int32 = 0
            repeat {
                let wanted = Int(min(Int64(chunkBytes), length - received))
                let filled = try fill(&chunk, upTo: wanted, from: read)
                received += Int64(filled)
                if filled < wanted { throw BlobError.shortBody(expected: length, received: received) }
                try tx.connection.execute("""
                    INSERT INTO blob_chunks (user_id, blob_id, seq, data)
                    VALUES (\(key.userID), \(key.id), \(seq), \(filled == chunkBytes ? chunk : Array(chunk[0..<filled])))
                    """)
                seq += 1
            } while received < length
        }
    }

    public func get(_ key: BlobKey, into write: (UnsafeRawBufferPointer) throws -> Bool) throws {
        // One REPEATABLE READ transaction for the whole blob: its snapshot keeps every chunk visible even if the
        // artifact is replaced (and this blob deleted) mid-download, so a reader never gets half a file. nginx
        // buffers the response, so the connection is held about as long as reading the chunks takes.
        try database.tenant(key.userID, isolation: .repeatableRead) { tx in
            var seq: Int32 = 0
            while true {
                let data = try tx.connection.query("""
                    SELECT data FROM blob_chunks WHERE user_id = \(key.userID) AND blob_id = \(key.id) AND seq = \(seq)
                    """).first.map { try $0.decode([UInt8].self, column: "data") }
                guard let data else {
                    if seq == 0 { throw BlobError.notFound(key) }
                    return
                }
                guard try data.withUnsafeBytes({ try write($0) }) else { return }
                seq += 1
            }
        }
    }

    public func delete(_ key: BlobKey) throws {
        try database.tenant(key.userID) { tx in
            try tx.connection.execute("DELETE FROM blob_chunks WHERE user_id = \(key.userID) AND blob_id = \(key.id)")
        }
    }

    public func stat(_ key: BlobKey) throws -> Int64? {
        try database.tenant(key.userID) { tx in
            let row = try tx.connection.query("""
                SELECT count(*) AS chunks, coalesce(sum(octet_length(data)), 0)::bigint AS bytes
                FROM blob_chunks WHERE user_id = \(key.userID) AND blob_id = \(key.id)
                """)[0]
            return try row.decode(Int64.self, column: "chunks") == 0 ? nil : try row.decode(Int64.self, column: "bytes")
        }
    }

    /// Reads until `count` bytes are in `buffer` or the source ends; returns how many arrived.
    private func fill(_ buffer: inout [UInt8], upTo count: Int, from read: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> Int {
        var filled = 0
        while filled < count {
            let n = try buffer.withUnsafeMutableBytes { whole in
                try read(UnsafeMutableRawBufferPointer(rebasing: whole[filled..<count]))
            }
            if n <= 0 { break }
            filled += n
        }
        return filled
    }
}
