import SweepStates

/// Ending runs: successes, failures, upstream failures and cancellation. Part of `TaskRunSQL` (the one home of the
/// statements that change `task_runs`).
extension TaskRunSQL {
    /// CTEs recording successes: CTE `done` takes the rows of a preceding CTE `results(id, attempt, output, logs,
    /// finished)`, fenced by state and attempt, and answers id, launch_id, name, successors and user_id of those
    /// accepted; CTE `logged` appends their `task.succeeded` events (a row per event: `LaunchSQL.countSucceeded(from:)`
    /// may count them). Every path that records a success runs this
    /// text: the general path (`LaunchProgression`), leaf successes (`LeafCompletion`) and the chain step. Runs are
    /// found by id alone (a completion names the run its claim returned): a `launch_id = …` condition invites a
    /// scan of the launch's runs when statistics are stale, as they are for a launch just made.
    public static let recordSuccesses: SQLTemplate = """
        done AS (
            UPDATE task_runs t SET state = \(RunState.succeeded.sql), output = r.output, logs = r.logs, finished_at = to_timestamp(r.finished),
                   lease_expires_at = NULL, claimed_by = NULL, progress_token_hash = NULL
            FROM results r
            WHERE t.id = r.id AND t.state = \(RunState.running.sql) AND t.attempt = r.attempt
            RETURNING t.id, t.launch_id, t.name, t.successors, t.user_id
        ), logged AS (
            INSERT INTO events (user_id, launch_id, run_name, type, data)
            SELECT user_id, launch_id, name, \(EventType.taskSucceeded.sql), \(EventSQL.succeededData)
            FROM done ORDER BY id
            RETURNING 1
        )
        """

    /// The columns of `results` as `jsonb_to_recordset` reads them (`RunCompletion.successRecord`).
    public static let resultColumns = "id bigint, attempt int, output jsonb, logs text, finished float8"

    /// running -> failed for run `$run` of launch `$launch` at attempt `$attempt`, with its error and logs
    /// (its `task.failed` event is drafted by `LaunchLedger.failed`); answers name and successors when accepted.
    public static let recordFailure: SQLTemplate = """
        UPDATE task_runs SET state = \(RunState.failed.sql), error = $message::text, logs = $logs::text, finished_at = $finished::timestamptz,
               lease_expires_at = NULL, claimed_by = NULL, progress_token_hash = NULL
        WHERE id = $run AND launch_id = $launch::uuid AND \(byIDGuard(.running)) AND attempt = $attempt::int
        RETURNING name, successors
        """

    /// pending -> failed for run `$run`, which fails before executing (a false deploy condition, a scatter that is
    /// not a list, an expression error); answers successors and kind.
    public static let failPending: SQLTemplate = """
        UPDATE task_runs SET state = \(RunState.failed.sql), error = $message::text, finished_at = coalesce($now::timestamptz, now())
        WHERE id = $run AND state = \(RunState.pending.sql) RETURNING successors, kind
        """

    /// pending -> succeeded for scatter gate `$run`, which decided its replica count (`$output`); answers successors.
    public static let closeGate: SQLTemplate = """
        UPDATE task_runs SET state = \(RunState.succeeded.sql), output = $output::jsonb, finished_at = coalesce($now::timestamptz, clock_timestamp())
        WHERE id = $run AND state = \(RunState.pending.sql) RETURNING successors
        """

    /// pending or scheduled -> upstream_failed for runs `$seeds` of launch `$launch` and everything downstream of
    /// them that has not run; answers name, kind and whether each was claimable (for the ledger).
    public static let markUpstreamFailed: SQLTemplate = """
        WITH RECURSIVE down(name) AS (
            SELECT unnest($seeds::text[])
            UNION
            SELECT unnest(t.successors) FROM task_runs t JOIN down d ON t.name = d.name WHERE t.launch_id = $launch::uuid
        ), victims AS (
            SELECT id, (\(claimable())) AS was_active FROM task_runs
            WHERE launch_id = $launch::uuid AND name IN (SELECT name FROM down)
              AND state IN \(RunState.sqlList([.pending, .scheduled]))
            FOR UPDATE
        )
        UPDATE task_runs t SET state = \(RunState.upstreamFailed.sql), finished_at = coalesce($now::timestamptz, now()), throttled = false
        FROM victims v WHERE t.id = v.id
        RETURNING t.name, t.kind, v.was_active
        """

    /// Every open run of launch `$launch` -> cancelled; answers name and kind.
    public static let cancel: SQLTemplate = """
        UPDATE task_runs SET state = \(RunState.cancelled.sql), finished_at = coalesce($now::timestamptz, now()), lease_expires_at = NULL,
               claimed_by = NULL, throttled = false, progress_token_hash = NULL
        WHERE launch_id = $launch::uuid AND state IN \(open)
        RETURNING name, kind
        """
}
