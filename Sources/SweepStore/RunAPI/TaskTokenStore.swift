import Postgres
import SweepCrypto
import SweepStates

/// Finds the running run that holds a task token (`tt_<run id>_<random>`; only its SHA-256 is stored). A token is
/// valid only while its run is `running`: the lookup is the run API's one authentication query.
public enum TaskTokenStore {
    /// The holder of `token`, or nil for a malformed or unknown token, or a run that is no longer running.
    /// Runs through `Database.system` (the token, not a user's key, is the credential).
    public static func holder(_ connection: PostgresConnection, token: String) throws -> TaskTokenHolder? {
        guard let runID = ProgressStore.runID(of: token) else { return nil }
        let rows = try connection.query("""
            SELECT id, user_id, launch_id::text AS launch_id, name, task_id, attempt FROM task_runs
            WHERE id = \(runID) AND progress_token_hash = \(Digest.sha256Hex(token)) AND state = \(unsafeSQL: RunState.running.sql)
            """)
        return try rows.first.map(TaskTokenHolder.init)
    }
}
