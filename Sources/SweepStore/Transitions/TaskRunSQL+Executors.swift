import SweepStates

/// The transitions of runs that remote executors execute (issue 14), kept beside `TaskRunSQL`'s: an executor's
/// assignment is a claim (`start`, the same lease, attempt fencing, token and events as a scheduler's claim), and
/// the run API's heartbeat renews a lease fenced by attempt.
extension TaskRunSQL {
    /// The NOTIFY channel of "runs of an executor type became claimable", payload `<user id>:<type>` (sent by
    /// migration 0017's trigger, whichever transition made them claimable).
    public static let executorWorkChannel = "sweep_executor_work"

    /// The predicate of `task_runs_executor_claimable_idx` written out whole, for runs of table alias `t`.
    static let executorClaimable = "\(claimable("t")) AND t.executor_type IS NOT NULL"

    /// Assigns up to `$limit` claimable runs of user `$user` and executor type `$executor_type` to executor
    /// `$scheduler` (`executor:<id>`) with a `$lease`-second lease: lower `priority` first, and within a priority
    /// the launches take turns (each launch's first run, then each one's second, …), so one launch of 10,000 runs
    /// does not hold back another launch's few. The launches with claimable runs are found by a skip scan of
    /// `task_runs_executor_claimable_idx` (one probe per launch); each offers its best runs (priority, then ready
    /// order), a share of a few batches between them; the offers are locked SKIP LOCKED in turn order, so
    /// concurrent executors pass each other. No more runs than the user's running cap leaves room for (its
    /// `user_limits.max_running_runs`, else `$running_cap`; exact, as it runs after `lockExecutorClaim` in the same
    /// transaction). `work_left` says whether another claim could take more right now. Then the scheduler's claim transition (`start`) makes
    /// them running, and its events are announced; the runs are answered in the order they were picked.
    public static let claimForExecutor: SQLTemplate = """
        WITH RECURSIVE launches AS (
            (SELECT t.launch_id FROM task_runs t WHERE t.user_id = $user AND t.executor_type = $executor_type::text AND \(executorClaimable)
             ORDER BY t.launch_id LIMIT 1)
            UNION ALL
            SELECT (SELECT t.launch_id FROM task_runs t
                    WHERE t.user_id = $user AND t.executor_type = $executor_type::text AND \(executorClaimable) AND t.launch_id > l.launch_id
                    ORDER BY t.launch_id LIMIT 1)
            FROM launches l WHERE l.launch_id IS NOT NULL
        ), room AS (
            SELECT greatest(0, c.cap - (SELECT count(*) FROM (SELECT 1 FROM task_runs t WHERE t.user_id = $user AND t.state = \(RunState.running.sql)
                                                               LIMIT c.cap) AS running))::int AS room
            FROM (SELECT coalesce((SELECT max_running_runs FROM user_limits WHERE user_id = $user), $running_cap::int) AS cap) AS c
        ), offer AS (
            SELECT greatest(1, $limit::int * 4 / greatest(1, count(*)))::int AS n FROM launches WHERE launch_id IS NOT NULL
        ), candidates AS (
            SELECT c.* FROM launches l CROSS JOIN offer CROSS JOIN LATERAL (
                SELECT t.id, t.launch_id, t.executor_priority AS priority, t.ready_at FROM task_runs t
                WHERE t.user_id = $user AND t.executor_type = $executor_type::text AND t.launch_id = l.launch_id AND \(executorClaimable)
                  AND t.ready_at <= coalesce($now::timestamptz, now())
                ORDER BY t.executor_priority, t.ready_at, t.id LIMIT offer.n) AS c
            WHERE l.launch_id IS NOT NULL
        ), ranked AS (
            SELECT id, priority, ready_at, row_number() OVER (PARTITION BY priority, launch_id ORDER BY ready_at, id) AS turn FROM candidates
        ), locked AS (
            SELECT t.id FROM ranked r JOIN task_runs t ON t.id = r.id
            WHERE t.state = \(RunState.scheduled.sql) AND NOT t.throttled
            ORDER BY r.priority, r.turn, r.ready_at, r.id
            LIMIT least($limit::int, (SELECT room FROM room))
            FOR UPDATE OF t SKIP LOCKED
        ), picked AS (
            SELECT id, sweep_new_token(id) AS token, NULL::jsonb AS input, NULL::jsonb AS exec, NULL::jsonb AS static_output FROM locked
        ), \(start(startingLaunches: true)), announced AS (
            SELECT pg_notify('\(EventWriter.channel)', '') WHERE EXISTS (SELECT 1 FROM claimed)
        ), \(RunInputSQL.launchTexts)
        SELECT c.id, c.launch_id::text AS launch_id, c.name, c.task_id, c.attempt, \(RunInputSQL.claimedInput("c")) AS input, c.exec, c.token,
               to_char((coalesce($now::timestamptz, now()) + make_interval(secs => $lease::int)) AT TIME ZONE 'UTC',
                       'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS lease_expires_at,
               (SELECT count(*) FROM announced) AS announced,
               -- Whether another claim could take more now (room left under the cap, and a claimable run this one
               -- did not take): parked long-polls hand a notification on to the next waiter only then.
               ((SELECT room FROM room) > (SELECT count(*) FROM locked) AND EXISTS (
                   SELECT 1 FROM task_runs t WHERE t.user_id = $user AND t.executor_type = $executor_type::text AND \(executorClaimable)
                     AND t.ready_at <= coalesce($now::timestamptz, now()) AND t.id NOT IN (SELECT id FROM locked))) AS work_left
        FROM claimed c JOIN ranked r ON r.id = c.id ORDER BY r.priority, r.turn, r.ready_at, r.id
        """

    /// Renews the lease of run `$run` while it is still running at attempt `$attempt` (the run API's heartbeat):
    /// `$lease` seconds from now. No row: the run was rescued, re-assigned or ended (the lease is lost).
    public static let renewRunLease: SQLTemplate = """
        UPDATE task_runs SET lease_expires_at = coalesce($now::timestamptz, now()) + make_interval(secs => $lease::int)
        WHERE id = $run AND state = \(RunState.running.sql) AND attempt = $attempt::int
        RETURNING to_char(lease_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS lease_expires_at
        """
}

extension TaskRunSQL {
    /// Sets what the pending runs of launch `$launch` named by the keys of `$rows` execute (children added at run
    /// time are resolved when added, not planned).
    public static let setPendingExec: SQLTemplate = """
        UPDATE task_runs t SET exec = m.value
        FROM jsonb_each($rows::jsonb) AS m
        WHERE t.launch_id = $launch::uuid AND t.name = m.key AND t.state = \(RunState.pending.sql)
        """

    /// Makes pending run `$before` of launch `$launch` wait for runs `$names` as well (their outputs join its
    /// predecessor outputs); answers its id, or no row when it is no longer pending.
    public static let waitAlsoFor: SQLTemplate = """
        UPDATE task_runs SET predecessors = predecessors || $names::text[], waiting_on = waiting_on + cardinality($names::text[])
        WHERE launch_id = $launch::uuid AND name = $before::text AND state = \(RunState.pending.sql)
        RETURNING id
        """
}

extension TaskRunSQL {
    /// The first statement of an executor's claim, in its transaction: waits for user `$user`'s claim lock (the
    /// transaction-scoped advisory lock of the schedulers' claim, `lockUsersNearCap`: migration 0012's number and
    /// the user), so `claimForExecutor`, the next statement, counts the user's running runs in a snapshot taken
    /// after every claim that held it before committed. Concurrent assignments of one user, and an assignment
    /// beside a scheduler's claim of a user near its cap, thus never pass the running cap together. Always taken
    /// (not only near the cap, as the schedulers do): any number of executors may ask at once, and one user's
    /// claims are short.
    public static let lockExecutorClaim: SQLTemplate = """
        SELECT pg_advisory_xact_lock(12, ($user::bigint % 2147483647)::integer)::text AS locked
        """

    /// Running runs of executors (`executor_type` set) past their `max_runtime`: the task's (`exec.runtime_seconds`),
    /// else the launch's `config.max_task_runtime`, else `$default_runtime` (the scheduler's, as for the runs it
    /// executes itself), counted from the attempt's start (a read; the enforcer fails them through the completer,
    /// fenced by `attempt`); answers the runtime that applied and the task's and the launch's settings apart, for
    /// the failure to name the one that applied. Walks `task_runs_executor_running_idx` (migration 0025) in start order, from the runs
    /// started at least a second ago (the shortest runtime): empty, so free, when no executor runs.
    public static let overdueExecutorRuns: SQLTemplate = """
        SELECT t.id, t.launch_id::text AS launch_id, t.attempt, r.seconds, (t.exec ->> 'runtime_seconds')::int AS task_seconds,
               l.max_runtime_seconds AS workflow_seconds
        FROM task_runs t JOIN launches l ON l.id = t.launch_id
        CROSS JOIN LATERAL (SELECT coalesce((t.exec ->> 'runtime_seconds')::int, l.max_runtime_seconds, $default_runtime::int) AS seconds) AS r
        WHERE t.state = \(RunState.running.sql) AND t.executor_type IS NOT NULL
          AND t.started_at < coalesce($now::timestamptz, now()) - interval '1 second'
          AND t.started_at + make_interval(secs => r.seconds) < coalesce($now::timestamptz, now())
        ORDER BY t.started_at LIMIT $batch::int
        """
}

// MARK: - A deleted executor's runs (DELETE /api/v1/executors/{id})

extension TaskRunSQL {
    /// The runs executor `$scheduler` (`executor:<id>`) of user `$user` holds, as table alias `t` reads them: running
    /// runs of executors (`task_runs_executor_running_idx`) claimed by it.
    static let heldByExecutor = """
        t.user_id = $user AND t.state = \(RunState.running.sql) AND t.executor_type IS NOT NULL AND t.claimed_by = $scheduler::text
        """

    /// The launches of the runs executor `$scheduler` of user `$user` holds, in id order (the order every
    /// transaction takes launch rows in), so its deletion can lock them before it touches their runs.
    public static let executorHeldLaunches: SQLTemplate = """
        SELECT DISTINCT t.launch_id::text AS launch_id FROM task_runs t WHERE \(heldByExecutor) ORDER BY 1
        """

    /// Deleting an executor ends its leases at once, as if they had expired: running -> scheduled for the runs
    /// executor `$scheduler` of user `$user` holds that have attempts left, with their `task.retrying` events
    /// (`requeue`, as `rescue` does for an expired lease); their task tokens are dropped with the lease, so the
    /// deleted executor's reports get 409 `lease_lost`. Answers launch_id per requeued run.
    public static let releaseExecutorRuns: SQLTemplate = """
        WITH held AS (
            SELECT t.id, t.attempt FROM task_runs t WHERE \(heldByExecutor) AND t.attempt < t.max_attempts FOR UPDATE OF t
        ), retries AS (
            SELECT id, attempt, 0::float8 AS delay,
                   'lease ended during attempt ' || attempt || ' (its executor was deleted); retrying' AS error, NULL::text AS logs
            FROM held
        ), \(requeue), announced AS (
            SELECT pg_notify('\(EventWriter.channel)', launch_id::text) FROM (SELECT DISTINCT launch_id FROM requeued) AS l
        )
        SELECT launch_id::text AS launch_id, (SELECT count(*) FROM announced) AS announced FROM requeued
        """

    /// The runs executor `$scheduler` of user `$user` holds with no attempt left (a read, after
    /// `releaseExecutorRuns`): they fail through `recordFailure`, fenced by their attempt, as expired ones do
    /// (`expiredOutOfAttempts`).
    public static let executorRunsOutOfAttempts: SQLTemplate = """
        SELECT t.id, t.launch_id::text AS launch_id, t.attempt FROM task_runs t WHERE \(heldByExecutor) AND t.attempt >= t.max_attempts
        """
}
