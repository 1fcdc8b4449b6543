import Postgres
import SweepCrypto
import SweepJSON
import SweepModel
import SweepStates

/// Progress reports from running tasks, authorised by the run's own token (not by a user's key).
public enum ProgressStore {
    /// Appends a `task.progress` event for the running run holding this token; false for an unknown token or a run
    /// that is no longer running (the token died with it).
    /// Whether this token belongs to a run that is running (a held report is accepted only then).
    public static func isRunning(_ connection: PostgresConnection, token: String) throws -> Bool {
        guard let runID = runID(of: token) else { return false }
        return try !connection.query("""
            SELECT 1 AS one FROM task_runs WHERE id = \(runID) AND progress_token_hash = \(Digest.sha256Hex(token)) AND state = \(unsafeSQL: RunState.running.sql)
            """).isEmpty
    }

    /// tt_<run id>_<random>: the run is found by its key, then the token by its hash.
    static func runID(of token: String) -> Int64? {
        let parts = token.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "tt" else { return nil }
        return Int64(parts[1])
    }

    public static func report(_ connection: PostgresConnection, token: String, percent: Double?, message: String) throws -> Bool {
        guard let runID = runID(of: token) else { return false }
        let rows = try connection.query("""
            SELECT launch_id::text AS launch_id, user_id, name FROM task_runs
            WHERE id = \(runID) AND progress_token_hash = \(Digest.sha256Hex(token)) AND state = \(unsafeSQL: RunState.running.sql)
            """)
        guard let row = rows.first else { return false }
        var data: [String: JSONValue] = ["state": .string(RunState.running.rawValue), "message": .string(message)]
        if let percent { data["percent"] = .double(percent) }
        try EventWriter.append(
            connection, userID: UserID(try row.decode(Int64.self, column: "user_id")), launchID: try row.decode(String.self, column: "launch_id"),
            [EventDraft(type: .taskProgress, runName: try row.decode(String.self, column: "name"), data: data)])
        return true
    }
}
