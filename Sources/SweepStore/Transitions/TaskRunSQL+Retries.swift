import SweepStates

// MARK: - Retries, skipped tasks, wait times (issue 13)

extension TaskRunSQL {
    /// `max_attempts` as migration 0002 creates it: a run survives `houseMaxAttempts - 1` lost leases whatever its
    /// `retries` (as before retries existed); `handBack` raises the column by one for each attempt it gives back, so
    /// `attempt - (max_attempts - houseMaxAttempts)` is the number of executions charged to the run.
    public static let houseMaxAttempts = 3

    /// CTEs sending the runs of a preceding CTE `retries(id, attempt, delay, error, logs)` back to be executed
    /// again: running -> scheduled, fenced by state and attempt, ready `delay` seconds after now (durable: the claim
    /// never takes a run before its ready_at), lease and task token dropped, `logs` (when given) kept as the last
    /// attempt's. `error` goes to the event only: the run's own `error` stays null unless it ends failed, so a run
    /// that succeeds at a later attempt does not show an error. The next claim counts `attempt` up. CTE `requeued` answers id, launch_id, user_id, name,
    /// attempt and ready_at; CTE `retried` appends their `task.retrying` events. The one home of a retry: a task error
    /// (`retry`, recorded by `LaunchProgression` for the completer and every executor) and a lost lease (`rescue`).
    public static let requeue = """
        requeued AS (
            UPDATE task_runs t SET state = \(RunState.scheduled.sql), claimed_by = NULL, lease_expires_at = NULL, progress_token_hash = NULL,
                   ready_at = coalesce($now::timestamptz, now()) + make_interval(secs => r.delay), logs = coalesce(r.logs, t.logs)
            FROM retries r
            WHERE t.id = r.id AND \(byIDGuard(.running, "t")) AND t.attempt = r.attempt
            RETURNING t.id, t.launch_id, t.user_id, t.name, t.attempt, t.ready_at, r.error
        ), retried AS (
            INSERT INTO events (user_id, launch_id, run_name, type, data)
            SELECT user_id, launch_id, name, \(EventType.taskRetrying.sql), \(EventSQL.retryingData)
            FROM requeued ORDER BY id
        )
        """

    /// running -> scheduled for run `$run` at attempt `$attempt` after a task error (`$message`, `$logs`), ready
    /// `$delay` seconds from now, with its `task.retrying` event (`requeue`); answers name and ready_at when accepted.
    public static let retry: SQLTemplate = """
        WITH retries AS (
            SELECT $run::bigint AS id, $attempt::int AS attempt, $delay::float8 AS delay, $message::text AS error, $logs::text AS logs
        ), \(requeue)
        SELECT name, ready_at FROM requeued
        """

    /// What a retry decision reads of running run `$run` at attempt `$attempt` (nothing once it moved on): its task
    /// and the executions charged to it (`houseMaxAttempts`), lost leases included.
    public static let retryState: SQLTemplate = """
        SELECT task_id, attempt - (max_attempts - \(houseMaxAttempts)) AS charged FROM task_runs
        WHERE id = $run AND \(byIDGuard(.running)) AND attempt = $attempt::int
        """

    /// pending -> skipped for run `$run` of a disabled task (`enabled: false`): never executed, output `{}`, with
    /// its `task.skipped` event; answers successors (which count it as a success).
    public static let skip: SQLTemplate = """
        WITH skipped AS (
            UPDATE task_runs SET state = \(RunState.skipped.sql), output = '{}'::jsonb, finished_at = coalesce($now::timestamptz, clock_timestamp())
            WHERE id = $run AND state = \(RunState.pending.sql)
            RETURNING id, launch_id, user_id, name, successors
        ), logged AS (
            INSERT INTO events (user_id, launch_id, run_name, type, data)
            SELECT user_id, launch_id, name, \(EventType.taskSkipped.sql), \(EventSQL.skippedData) FROM skipped
        )
        SELECT successors FROM skipped
        """

    /// The deadline of a scheduled run with a max wait (migration 0014's index expression, written out whole so
    /// the index serves the statements that state it).
    static let waitDeadline = "sweep_wait_deadline(ready_at, (exec ->> 'max_wait_seconds')::float8)"
    static let waitsWithDeadline = "state = \(RunState.scheduled.sql) AND exec ? 'max_wait_seconds'"

    /// Up to `$batch` scheduled runs whose max wait passed before `$now` unstarted (a read, by
    /// `task_runs_wait_deadline_idx`): the wait-time enforcer fails them launch by launch (`failUnstarted`).
    public static let overdueWaits: SQLTemplate = """
        SELECT id, launch_id::text AS launch_id FROM task_runs
        WHERE \(waitsWithDeadline) AND \(waitDeadline) <= coalesce($now::timestamptz, now())
        ORDER BY \(waitDeadline) LIMIT $batch::int
        """

    /// scheduled -> failed (`$message`, code wait_timeout) for runs `$ids` of launch `$launch` still scheduled past
    /// their max wait at `$now`; rows a claim holds are skipped (that claim starts them). Answers name, successors
    /// and whether each was claimable (for the ledger); the `task.failed` events are drafted by the ledger.
    public static let failUnstarted: SQLTemplate = """
        WITH overdue AS (
            SELECT id, NOT throttled AS was_active FROM task_runs
            WHERE id = ANY($ids::bigint[]) AND launch_id = $launch::uuid AND \(waitsWithDeadline)
              AND \(waitDeadline) <= coalesce($now::timestamptz, now())
            FOR UPDATE SKIP LOCKED
        )
        UPDATE task_runs t SET state = \(RunState.failed.sql), error = $message::text, finished_at = coalesce($now::timestamptz, now()),
               throttled = false
        FROM overdue o WHERE t.id = o.id
        RETURNING t.name, t.successors, o.was_active
        """
}
