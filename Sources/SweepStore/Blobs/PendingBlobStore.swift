import Foundation
import Postgres

/// The `pending_blobs` journal (migration 0026): a blob being written, from before its first byte until the row that
/// points at it (an artifact, a run file) commits. The one home of its SQL; `UnfinishedUploadSweeper` reads what a
/// crash left behind.
public enum PendingBlobStore {
    /// Records that `key` is about to be written; commit before the put, so a crash mid-upload leaves this row.
    public static func begin(_ tx: TenantTransaction, _ key: BlobKey) throws {
        try tx.connection.execute("INSERT INTO pending_blobs (user_id, blob_id) VALUES (\(key.userID), \(key.id))")
    }

    /// Ends the journal entry in the transaction that points a row at the blob. False when the sweeper took the entry
    /// first (the upload outlived the grace period and its blob may be gone): the caller must not point at it.
    public static func finish(_ tx: TenantTransaction, _ key: BlobKey) throws -> Bool {
        try tx.connection.execute("DELETE FROM pending_blobs WHERE user_id = \(key.userID) AND blob_id = \(key.id)") == 1
    }

    /// Entries started before `now - grace`, oldest first, locked SKIP LOCKED so any number of schedulers share them;
    /// `referenced` says a row points at the blob after all (it is then kept). Delete them with `remove` in the same
    /// transaction, after their blobs are gone.
    public static func stale(_ connection: PostgresConnection, now: Date?, graceSeconds: Int, limit: Int) throws -> [(key: BlobKey, referenced: Bool)] {
        try connection.query("""
            SELECT p.user_id, p.blob_id,
                   EXISTS (SELECT 1 FROM artifacts a WHERE a.user_id = p.user_id AND a.blob_id = p.blob_id)
                   OR EXISTS (SELECT 1 FROM run_files f WHERE f.user_id = p.user_id AND f.blob_id = p.blob_id) AS referenced
            FROM pending_blobs p
            WHERE p.started_at < coalesce(\(now)::timestamptz, now()) - make_interval(secs => \(graceSeconds))
            ORDER BY p.started_at LIMIT \(limit) FOR UPDATE OF p SKIP LOCKED
            """).map { row in
            (BlobKey(userID: UserID(try row.decode(Int64.self, column: "user_id")), id: try row.decode(String.self, column: "blob_id")),
             try row.decode(Bool.self, column: "referenced"))
        }
    }

    public static func remove(_ connection: PostgresConnection, _ keys: [BlobKey]) throws {
        for key in keys {
            try connection.execute("DELETE FROM pending_blobs WHERE user_id = \(key.userID) AND blob_id = \(key.id)")
        }
    }
}
