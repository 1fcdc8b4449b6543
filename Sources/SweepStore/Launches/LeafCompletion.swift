import Foundation
import Postgres
import SweepJSON

/// Successes of runs that nothing depends on, in a launch without max_task_concurrency: nothing becomes ready,
/// nothing is admitted, so recording them needs no planning and no lock held across statements. One statement
/// records them (`TaskRunSQL.recordSuccesses`, fenced by state and attempt, with their events), and counts them on
/// the launch row last (`LaunchSQL.countSucceeded`), so the launch's row lock is held only from that update to
/// COMMIT: schedulers sharing a wide launch do not queue behind one another's whole transaction. The caller ends
/// the launch through `LaunchProgression` when this answers that nothing is open any more.
public enum LeafCompletion {
    static let statement = SQLTemplate("""
        WITH results AS (
            SELECT * FROM jsonb_to_recordset($results::jsonb) AS r(\(TaskRunSQL.resultColumns))
        ), \(TaskRunSQL.recordSuccesses), \(LaunchSQL.countSucceeded(from: "logged"))
        SELECT (SELECT open_runs FROM counted) AS open_runs,
               (SELECT pg_notify('\(EventWriter.channel)', $launch::uuid::text) FROM counted) AS notified
        """)

    /// Returns the launch's open runs after counting these, or nil when none was accepted (stale attempts, or a
    /// cancelled launch whose runs were closed already).
    public static func record(_ connection: PostgresConnection, launchID: String, _ completions: [RunCompletion]) throws -> Int? {
        guard let successes = RunCompletion.successRecords(completions) else { return nil }
        let row = try connection.query(statement.query([
            "results": successes.postgresBind, "launch": launchID.postgresBind, "admitted": 0.postgresBind,
        ]))[0]
        return try row.decode(Int?.self, column: "open_runs")
    }
}
