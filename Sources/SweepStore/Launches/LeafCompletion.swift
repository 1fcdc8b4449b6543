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
            WITH done AS (
                UPDATE task_runs t SET state = 'succeeded', output = r.output, logs = r.logs, finished_at = to_timestamp(r.finished),
                       lease_expires_at = NULL, claimed_by = NULL, progress_token_hash = NULL
                FROM jsonb_to_recordset(\(JSONValue.array(successes))::jsonb) AS r(id bigint, attempt int, output jsonb, logs text, finished float8)
                WHERE t.id = r.id AND t.state = 'running' AND t.attempt = r.attempt
                RETURNING t.id, t.launch_id, t.name, t.user_id
            ), logged AS (
                INSERT INTO events (user_id, launch_id, run_name, type, data)
                SELECT user_id, \(launchID)::uuid, name, 'task.succeeded', \(unsafeSQL: RunCompletion.succeededEventData)
                FROM done ORDER BY id
            ), counted AS (
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
