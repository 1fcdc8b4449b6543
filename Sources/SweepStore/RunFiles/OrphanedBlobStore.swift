import Postgres

/// The `orphaned_blobs` queue (migration 0019): blobs whose run-file row was deleted (with its launch, by retention,
/// with its user) or replaced. The one home of its SQL; the schedulers' `BlobCollector` drains it.
public enum OrphanedBlobStore {
    /// Takes up to `limit` queued blobs off the queue, SKIP LOCKED so any number of schedulers share the work. The
    /// rows are deleted in the caller's transaction: commit only after the blobs are gone, so a crash leaves them queued.
    public static func take(_ connection: PostgresConnection, limit: Int) throws -> [BlobKey] {
        try connection.query("""
            DELETE FROM orphaned_blobs WHERE (user_id, blob_id) IN (
                SELECT user_id, blob_id FROM orphaned_blobs ORDER BY queued_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING user_id, blob_id
            """).map { BlobKey(userID: UserID(try $0.decode(Int64.self, column: "user_id")), id: try $0.decode(String.self, column: "blob_id")) }
    }
}
