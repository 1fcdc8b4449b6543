import Postgres
import SweepJSON

/// Successes of runs that nothing depends on, in a launch without max_task_concurrency: nothing becomes ready,
/// nothing is admitted, so recording them needs no planning and no lock held across statements. One statement
/// records them (fenced by state and attempt), appends their events, and counts them on the launch row last, so
/// the launch's row lock is held only from that update to COMMIT: schedulers sharing a wide launch no longer
/// queue behind one another's whole transaction. The caller ends the launch through `LaunchProgression` when
/// this answers that nothing is open any more.
public enum LeafCompletion {
    /// Returns the launch's open runs after counting these, or nil when none was accepted (stale attempts, or a
    /// cancelled launch whose runs were closed already).
    public static func record(_ connection: PostgresConnection, launchID: String, _ completions: [RunCompletion]) throws -> Int? {
        let successes = completions.compactMap(\.successRecord)
        guard !successes.isEmpty else { return nil }
        let row = try connection.query("""
            WITH results AS (
                SELECT * FROM jsonb_to_recordset(\(JSONValue.array(successes))::jsonb) AS r(\(unsafeSQL: RunCompletion.successColumns))
            ), \(unsafeSQL: RunCompletion.recordSuccesses), counted AS (
                UPDATE launches l SET open_runs = l.open_runs - c.n, active_runs = l.active_runs - c.n, finished_runs = l.finished_runs + c.n
                FROM (SELECT count(*)::int AS n FROM done) AS c
                WHERE l.id = \(launchID)::uuid AND c.n > 0
                RETURNING l.open_runs
            )
            SELECT (SELECT open_runs FROM counted) AS open_runs,
                   (SELECT pg_notify(\(EventWriter.channel), \(launchID)) FROM counted) AS notified
            """)[0]
        return try row.decode(Int?.self, column: "open_runs")
    }
}
