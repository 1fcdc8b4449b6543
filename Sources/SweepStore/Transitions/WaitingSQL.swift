import SweepStates

/// The transitions of waiting runs (timer, signal and workflow tasks: `WaitingTask`), in the home of `task_runs`'
/// statements (see `TaskRunSQL`), guarded by state and attempt, each appending its event in the same statement:
///
///     pending ─ enterWaiting ─> waiting ─ wake ─> running ─ recordSuccesses / recordFailure (the shared path)
///                                  └── cancel, markUpstreamFailed (as for any open run)
///
/// A waiting run is never claimed (the claim takes `scheduled` runs only) and counts no slot. Its `ready_at` is its
/// deadline: a timer's end, a signal's timeout (now when its signal is already stored), now for a child workflow
/// until its child exists; NULL when nothing is due (`task_runs_waiting_due_idx`, migration 0015).
extension TaskRunSQL {
    /// pending -> waiting for the runs in `$rows` (JSON records: id, input, exec, due): attempt counted up (the
    /// fencing token of this wait), ready_at = now + due seconds (NULL without a due), or now for a signal run
    /// whose signal was sent before it was reached. Appends `task.waiting`; answers how many are due now.
    public static let enterWaiting: SQLTemplate = """
        WITH waiting AS (
            UPDATE task_runs t SET state = \(RunState.waiting.sql), input = r.input, exec = r.exec, attempt = t.attempt + 1,
                   -- The same instant the deadline counts from: a timer's run lasts at least its duration.
                   started_at = coalesce($now::timestamptz, now()),
                   ready_at = CASE
                       WHEN r.exec->>'wait' = 'signal' AND EXISTS (
                           SELECT 1 FROM launch_signals s WHERE s.user_id = t.user_id AND s.launch_id = t.launch_id AND s.task_id = t.task_id)
                           THEN coalesce($now::timestamptz, now())
                       WHEN r.due IS NULL THEN NULL
                       ELSE coalesce($now::timestamptz, now()) + make_interval(secs => r.due) END
            FROM jsonb_to_recordset($rows::jsonb) AS r(id bigint, input jsonb, exec jsonb, due float8)
            WHERE t.id = r.id AND t.state = \(RunState.pending.sql)
            RETURNING t.id, t.launch_id, t.name, t.task_id, t.user_id, t.attempt, t.ready_at
        ), logged AS (
            INSERT INTO events (user_id, launch_id, run_name, type, data)
            SELECT user_id, launch_id, name, \(EventType.taskWaiting.sql),
                   jsonb_build_object('launch_id', launch_id::text, 'run_id', name, 'state', \(RunState.waiting.sql), 'task_id', task_id,
                                      'attempt', attempt, 'due_at', CASE WHEN ready_at IS NOT NULL THEN to_char(ready_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END,
                                      'ts', \(EventSQL.timestamp))
            FROM waiting ORDER BY id
        )
        SELECT count(*) FILTER (WHERE ready_at <= coalesce($now::timestamptz, now()))::int AS due FROM waiting
        """

    /// waiting -> running for run `$run` of launch `$launch` at attempt `$attempt`, so its result is recorded by
    /// the same statements as an executor's (`recordSuccesses`, `recordFailure`, and whatever retry rule they
    /// apply). The caller holds the launch's lock and records the result in the same transaction. Answers task_id.
    public static let wake: SQLTemplate = """
        UPDATE task_runs SET state = \(RunState.running.sql), ready_at = coalesce(ready_at, coalesce($now::timestamptz, now()))
        WHERE id = $run AND launch_id = $launch::uuid AND state = \(RunState.waiting.sql) AND attempt = $attempt::int
        RETURNING task_id
        """

    /// running -> waiting for run `$run` of launch `$launch` at attempt `$attempt`: a run of a waiting kind that a
    /// scheduler claimed because a retry sent it back to `scheduled` (retries are shared with executable tasks). It
    /// waits again at this attempt, due `$due` seconds from now (NULL: no deadline; a stored signal: now), with its
    /// `task.waiting` event; answers whether it is due now.
    public static let park: SQLTemplate = """
        WITH parked AS (
            UPDATE task_runs t SET state = \(RunState.waiting.sql), claimed_by = NULL, lease_expires_at = NULL, progress_token_hash = NULL,
                   started_at = coalesce($now::timestamptz, now()),
                   ready_at = CASE
                       WHEN t.exec->>'wait' = 'signal' AND EXISTS (
                           SELECT 1 FROM launch_signals s WHERE s.user_id = t.user_id AND s.launch_id = t.launch_id AND s.task_id = t.task_id)
                           THEN coalesce($now::timestamptz, now())
                       WHEN $due::float8 IS NULL THEN NULL
                       ELSE coalesce($now::timestamptz, now()) + make_interval(secs => $due::float8) END
            WHERE t.id = $run AND t.launch_id = $launch::uuid AND t.state = \(RunState.running.sql) AND t.attempt = $attempt::int
            RETURNING t.id, t.launch_id, t.name, t.task_id, t.user_id, t.attempt, t.ready_at
        ), logged AS (
            INSERT INTO events (user_id, launch_id, run_name, type, data)
            SELECT user_id, launch_id, name, \(EventType.taskWaiting.sql),
                   jsonb_build_object('launch_id', launch_id::text, 'run_id', name, 'state', \(RunState.waiting.sql), 'task_id', task_id,
                                      'attempt', attempt, 'ts', \(EventSQL.timestamp))
            FROM parked
        )
        SELECT ready_at <= coalesce($now::timestamptz, now()) AS due FROM parked
        """

    /// Up to `$batch` waiting runs due at `$now` (a read; each is re-checked under its launch's lock by
    /// `lockDueWaiting`). Walks `task_runs_waiting_due_idx`: one empty index probe when nothing is due.
    public static let dueWaiting: SQLTemplate = """
        SELECT id, launch_id::text AS launch_id, user_id, attempt FROM task_runs
        WHERE state = \(RunState.waiting.sql) AND ready_at <= coalesce($now::timestamptz, now())
        ORDER BY ready_at LIMIT $batch::int
        """

    /// Locks waiting run `$run` at attempt `$attempt` if it is still due; answers what the service needs.
    public static let lockDueWaiting: SQLTemplate = """
        SELECT id, launch_id::text AS launch_id, user_id, name, task_id, attempt, \(RunInputSQL.input("task_runs")) AS input, exec,
               ready_at <= coalesce($now::timestamptz, now()) AS due
        FROM task_runs WHERE id = $run AND state = \(RunState.waiting.sql) AND attempt = $attempt::int
        FOR UPDATE
        """

    /// A waiting run's deadline is gone (its child launch exists; the child's end completes it): ready_at NULL.
    public static let clearDeadline: SQLTemplate = """
        UPDATE task_runs SET ready_at = NULL WHERE id = $run AND state = \(RunState.waiting.sql) AND attempt = $attempt::int
        """

    /// A waiting run is due now (its signal arrived): the service completes it.
    public static let dueNow: SQLTemplate = """
        UPDATE task_runs SET ready_at = coalesce($now::timestamptz, now())
        WHERE launch_id = $launch::uuid AND task_id = $task AND state = \(RunState.waiting.sql)
        RETURNING id, attempt
        """
}

/// Statements of `launches` for child launches (see `LaunchSQL`).
extension LaunchSQL {
    /// Up to `$batch` child launches that ended and whose parent run has not been told (a read walking
    /// `launches_child_ended_idx`: free when there are none).
    public static let endedChildren: SQLTemplate = """
        SELECT id::text AS id, user_id, parent_launch_id::text AS parent_launch_id, parent_run_id, state, output, error
        FROM launches
        WHERE parent_run_id IS NOT NULL AND NOT parent_notified AND state IN \(LaunchState.sqlList(LaunchState.terminal))
        ORDER BY finished_at LIMIT $batch::int
        """

    /// The parent run of child `$child` was told of its end.
    public static let markParentNotified: SQLTemplate = """
        UPDATE launches SET parent_notified = true WHERE id = $child::uuid AND NOT parent_notified
        """

    /// Makes launch `$launch` the child of run `$run` (row id) of launch `$parent` at depth `$depth`.
    public static let adoptChild: SQLTemplate = """
        UPDATE launches SET parent_launch_id = $parent::uuid, parent_run_id = $run, nesting_depth = $depth::int
        WHERE id = $launch::uuid
        """

    /// Children of launch `$launch` that have not ended (for a cancel that goes down the tree).
    public static let openChildren: SQLTemplate = """
        SELECT id::text AS id FROM launches
        WHERE user_id = $user AND parent_launch_id = $launch::uuid AND state NOT IN \(LaunchState.sqlList(LaunchState.terminal)) ORDER BY id
        """
}

extension TaskRunSQL {
    /// Waiting run `$run` at attempt `$attempt` is due again `$seconds` from now: a `workflow` run whose child could
    /// not be made yet because its user is at `max_launches_in_flight` (`ChildLaunch.Outcome.atLimit`). It keeps
    /// waiting, with no event (nothing happened to it), and the waiting service tries its child again then.
    public static let dueLater: SQLTemplate = """
        UPDATE task_runs SET ready_at = coalesce($now::timestamptz, now()) + make_interval(secs => $seconds::float8)
        WHERE id = $run AND state = \(RunState.waiting.sql) AND attempt = $attempt::int
        """
}
