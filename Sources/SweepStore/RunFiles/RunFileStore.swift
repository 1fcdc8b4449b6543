import Foundation
import Postgres
import SweepStates

/// The `run_files` table: the output files of runs. The one home of its SQL. A run is named as the API names it
/// (launch id and run name) and found in `task_runs` of the same user, so another user's run is simply absent.
public struct RunFileStore {
    let tx: TenantTransaction

    public init(_ tx: TenantTransaction) {
        self.tx = tx
    }

    /// Bytes the user's run output files occupy (added to artifacts' in the stored-bytes limit).
    public func storedBytes() throws -> Int64 {
        try tx.connection.query("""
            SELECT coalesce(sum(size), 0)::bigint AS bytes FROM run_files WHERE user_id = \(tx.userID)
            """)[0].decode(Int64.self, column: "bytes")
    }

    /// The row id of run `runName` of the launch, nil when this user has no such run.
    public func runRowID(launchID: String, runName: String) throws -> RunRowID? {
        guard UUID(uuidString: launchID) != nil else { return nil }
        return try tx.connection.query("""
            SELECT id FROM task_runs WHERE user_id = \(tx.userID) AND launch_id = \(launchID)::uuid AND name = \(runName)
              AND kind = \(unsafeSQL: RunKind.task.sql)
            """).first.map { try $0.decode(Int64.self, column: "id") }
    }

    /// Inserts or replaces file `name` of the run; the replaced row's blob is queued for deletion by the trigger
    /// of migration 0019.
    public func upsert(launchID: String, runID: RunRowID, name: String, blobID: String, size: Int64, sha256: String) throws -> RunFileRecord {
        let row = try tx.connection.query("""
            INSERT INTO run_files (user_id, launch_id, run_id, name, blob_id, size, sha256)
            VALUES (\(tx.userID), \(launchID)::uuid, \(runID), \(name), \(blobID), \(size), \(sha256))
            ON CONFLICT (user_id, launch_id, run_id, name) DO UPDATE
                SET blob_id = excluded.blob_id, size = excluded.size, sha256 = excluded.sha256, created_at = now()
            RETURNING name, blob_id, size, sha256, created_at
            """)[0]
        return try decode(row)
    }

    public func count(launchID: String, runID: RunRowID) throws -> Int {
        try tx.connection.query("""
            SELECT count(*)::bigint AS n FROM run_files WHERE user_id = \(tx.userID) AND launch_id = \(launchID)::uuid AND run_id = \(runID)
            """)[0].decode(Int.self, column: "n")
    }

    /// The run's files by name, after name `cursor` (a page's last), at most `limit` (nil: all).
    public func list(launchID: String, runID: RunRowID, after cursor: String? = nil, limit: Int? = nil) throws -> [RunFileRecord] {
        try tx.connection.query("""
            SELECT name, blob_id, size, sha256, created_at FROM run_files
            WHERE user_id = \(tx.userID) AND launch_id = \(launchID)::uuid AND run_id = \(runID) AND (\(cursor == nil) OR name > \(cursor ?? ""))
            ORDER BY name LIMIT \(limit)
            """).map(decode)
    }

    public func find(launchID: String, runID: RunRowID, name: String) throws -> RunFileRecord? {
        try tx.connection.query("""
            SELECT name, blob_id, size, sha256, created_at FROM run_files
            WHERE user_id = \(tx.userID) AND launch_id = \(launchID)::uuid AND run_id = \(runID) AND name = \(name)
            """).first.map(decode)
    }

    func decode(_ row: PostgresRow) throws -> RunFileRecord {
        RunFileRecord(
            name: try row.decode(String.self, column: "name"),
            blob: BlobKey(userID: tx.userID, id: try row.decode(String.self, column: "blob_id")),
            size: try row.decode(Int64.self, column: "size"),
            sha256: try row.decode(String.self, column: "sha256"),
            createdAt: try row.decode(Date.self, column: "created_at"))
    }
}
