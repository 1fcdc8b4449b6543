import SweepStates

/// Re-running an ended launch (`LaunchRerun`). Part of `TaskRunSQL` (the one home of the statements that change
/// `task_runs`).
extension TaskRunSQL {
    /// A read: the runs a re-run of ended launch `$launch` re-opens. The seeds are its runs that failed, were
    /// upstream_failed or cancelled (`$from_failed`), or every run of the tasks `$tasks`; the scope is the seeds
    /// and everything downstream of them (by `successors`, as `markUpstreamFailed` walks). Answers name, kind and
    /// state of each run in scope.
    public static let rerunScope: SQLTemplate = """
        WITH RECURSIVE down(name) AS (
            SELECT name FROM task_runs
            WHERE launch_id = $launch::uuid
              AND CASE WHEN $from_failed::bool THEN state IN \(RunState.sqlList(RunState.failing)) ELSE task_id = ANY($tasks::text[]) END
            UNION
            SELECT unnest(t.successors) FROM task_runs t JOIN down d ON t.name = d.name WHERE t.launch_id = $launch::uuid
        )
        SELECT t.name, t.kind, t.state FROM task_runs t
        WHERE t.launch_id = $launch::uuid AND t.name IN (SELECT name FROM down)
        ORDER BY t.id
        """

    /// Deletes the ended runs `$names` of launch `$launch` that a re-run plans again (replicas, followers and
    /// gatherers of a scatter gate whose count is decided anew) and removes them from the successor lists of the
    /// runs that stay, so the re-expansion links them once. Guarded: an open run is never deleted. Answers how
    /// many went. Their past events stay (the history of the launch); `launch.rerun` names them.
    public static let deleteReplanned: SQLTemplate = """
        WITH gone AS (
            DELETE FROM task_runs
            WHERE launch_id = $launch::uuid AND name = ANY($names::text[]) AND state NOT IN \(open)
            RETURNING name
        ), unlinked AS (
            UPDATE task_runs t SET successors = ARRAY(SELECT s FROM unnest(t.successors) AS s WHERE s <> ALL($names::text[]))
            WHERE t.launch_id = $launch::uuid AND t.successors && $names::text[] AND t.name <> ALL($names::text[])
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM gone)::int AS deleted, (SELECT count(*) FROM unlinked)::int AS unlinked
        """

    /// ended -> pending for the runs `$names` of launch `$launch` (a re-run): results, input, what to execute, the
    /// lease and the token are cleared; `waiting_on` counts again the predecessors that have not succeeded (or were
    /// skipped) or are re-opened too. `attempt` is kept (it fences results of the attempts before the re-run, which
    /// a late executor may still send) and `max_attempts` grows by it, so the re-run has a full budget. Guarded: only
    /// ended runs. Answers name, kind and waiting_on.
    public static let reopenRuns: SQLTemplate = """
        WITH picked AS (
            SELECT r.id, r.user_id, (
                SELECT count(*) FROM unnest(r.predecessors) AS p(name)
                LEFT JOIN task_runs x ON x.launch_id = r.launch_id AND x.name = p.name
                WHERE x.state IS NULL OR x.state NOT IN \(RunState.sqlList([.succeeded, .skipped])) OR p.name = ANY($names::text[])
            )::int AS waiting
            FROM task_runs r
            WHERE r.launch_id = $launch::uuid AND r.name = ANY($names::text[]) AND r.state NOT IN \(open)
            FOR UPDATE
        ),
        -- A re-run run starts without the last execution's output files and logs (their blobs are queued for
        -- deletion by run_files' trigger).
        gone_files AS (
            DELETE FROM run_files f USING picked p WHERE f.user_id = p.user_id AND f.launch_id = $launch::uuid AND f.run_id = p.id
        ),
        gone_logs AS (
            DELETE FROM run_logs l USING picked p WHERE l.user_id = p.user_id AND l.launch_id = $launch::uuid AND l.run_id = p.id
        )
        UPDATE task_runs t SET state = \(RunState.pending.sql), waiting_on = p.waiting, input = NULL, splice_launch_input = false, output = NULL, error = NULL,
               exec = NULL, static_output = NULL, logs = NULL, started_at = NULL, finished_at = NULL, ready_at = NULL,
               lease_expires_at = NULL, claimed_by = NULL, progress_token_hash = NULL, throttled = false,
               max_attempts = t.max_attempts + t.attempt
        FROM picked p WHERE t.id = p.id
        RETURNING t.name, t.kind, t.waiting_on
        """
}
