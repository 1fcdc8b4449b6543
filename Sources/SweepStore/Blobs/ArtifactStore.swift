import Foundation
import Postgres

/// The `artifacts` table: names, sizes, digests and blob ids. The one home of its SQL.
public struct ArtifactStore {
    let tx: TenantTransaction

    public init(_ tx: TenantTransaction) {
        self.tx = tx
    }

    /// An arbitrary constant naming the per-user lock that serialises the stored-bytes check and the write that
    /// depends on it, so two uploads at once cannot both fit under the limit and together exceed it.
    static let storageLockClass: Int32 = 0x5346_494C  // "SFIL"

    /// Takes this user's storage lock until the transaction ends.
    public func lockStorage() throws {
        try tx.connection.query("SELECT pg_advisory_xact_lock(\(Self.storageLockClass), hashtext(\(String(tx.userID.rawValue))))")
    }

    /// Bytes the user's files occupy (artifacts, and run output files: one stored-bytes limit covers both), leaving
    /// out the artifact named `excluding` (which an upload would replace).
    public func storedBytes(excluding name: String?) throws -> Int64 {
        try tx.connection.query("""
            SELECT (SELECT coalesce(sum(size), 0) FROM artifacts
                    WHERE user_id = \(tx.userID) AND (\(name == nil) OR name <> \(name ?? "")))::bigint
                 + (SELECT coalesce(sum(size), 0) FROM run_files WHERE user_id = \(tx.userID))::bigint AS bytes
            """)[0].decode(Int64.self, column: "bytes")
    }

    public func find(name: String) throws -> ArtifactRecord? {
        try tx.connection.query("""
            SELECT name, blob_id, size, sha256, created_at FROM artifacts WHERE user_id = \(tx.userID) AND name = \(name)
            """).first.map(decode)
    }

    /// Inserts or replaces the artifact `name`; returns the new record and the blob the old one pointed at.
    public func upsert(name: String, blobID: String, size: Int64, sha256: String) throws -> (ArtifactRecord, replaced: BlobKey?) {
        let old = try tx.connection.query("""
            SELECT blob_id FROM artifacts WHERE user_id = \(tx.userID) AND name = \(name) FOR UPDATE
            """).first.map { BlobKey(userID: tx.userID, id: try $0.decode(String.self, column: "blob_id")) }
        let row = try tx.connection.query("""
            INSERT INTO artifacts (user_id, name, blob_id, size, sha256) VALUES (\(tx.userID), \(name), \(blobID), \(size), \(sha256))
            ON CONFLICT (user_id, name) DO UPDATE
                SET blob_id = excluded.blob_id, size = excluded.size, sha256 = excluded.sha256, created_at = now()
            RETURNING name, blob_id, size, sha256, created_at
            """)[0]
        return (try decode(row), old)
    }

    public func list(after cursor: String?, limit: Int) throws -> [ArtifactRecord] {
        try tx.connection.query("""
            SELECT name, blob_id, size, sha256, created_at FROM artifacts
            WHERE user_id = \(tx.userID) AND (\(cursor == nil) OR name > \(cursor ?? ""))
            ORDER BY name LIMIT \(limit)
            """).map(decode)
    }

    /// Removes the artifact's row; returns its blob (for the caller to delete), nil when there was none.
    public func delete(name: String) throws -> BlobKey? {
        try tx.connection.query("""
            DELETE FROM artifacts WHERE user_id = \(tx.userID) AND name = \(name) RETURNING blob_id
            """).first.map { BlobKey(userID: tx.userID, id: try $0.decode(String.self, column: "blob_id")) }
    }

    func decode(_ row: PostgresRow) throws -> ArtifactRecord {
        ArtifactRecord(
            name: try row.decode(String.self, column: "name"),
            blob: BlobKey(userID: tx.userID, id: try row.decode(String.self, column: "blob_id")),
            size: try row.decode(Int64.self, column: "size"),
            sha256: try row.decode(String.self, column: "sha256"),
            createdAt: try row.decode(Date.self, column: "created_at"))
    }
}
