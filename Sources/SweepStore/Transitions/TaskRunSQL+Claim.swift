import SweepStates

/// Claiming runs and keeping their leases: who may claim, the fair pick, the start, lease renewals, hand-backs and
/// the rescue of lost leases. Part of `TaskRunSQL` (the one home of the statements that change `task_runs`).
extension TaskRunSQL {
    /// CTE `users(user_id)`: the users with claimable runs, by a skip scan (one index probe per user); the last row
    /// is a NULL.
    static let claimableUsers = """
        users AS (
            (SELECT user_id FROM task_runs WHERE \(schedulerClaimable()) ORDER BY user_id LIMIT 1)
            UNION ALL
            SELECT (SELECT t.user_id FROM task_runs t WHERE \(schedulerClaimable("t")) AND t.user_id > u.user_id ORDER BY t.user_id LIMIT 1)
            FROM users u WHERE u.user_id IS NOT NULL
        )
        """

    /// Concurrent claims assumed at most (schedulers times loops) where the running cap is still far: while a user's
    /// room is at least this many batches, concurrent claims cannot pass the cap together, so they need no lock.
    public static let concurrentClaimsBound = 16

    /// `CROSS JOIN LATERAL … AS n(running)`: the running runs of user `user`, counted up to the cap `c.cap` of the
    /// FROM item before it, by a walk of `task_runs_running_by_user_idx`. Shared by the two statements of a claim
    /// (`userRoom`, `countedRoom`).
    /// `only`, a condition on the outer row alone, gates the walk itself: the planner makes it a one-time filter of
    /// the count's scan. Written only as the LATERAL's WHERE, it became a join filter applied after the count, and
    /// the claim walked a user's running runs for a row it then dropped (auto_explain: 0.4-2 ms of every claim).
    static func runningRuns(of user: String, only: String? = nil) -> String {
        """
        CROSS JOIN LATERAL (SELECT count(*) AS running FROM (
            SELECT 1 FROM task_runs t WHERE \(only.map { "\($0) AND " } ?? "")t.user_id = \(user) AND t.state = \(RunState.running.sql) LIMIT c.cap) AS r) AS n
        """
    }

    /// CTE `room(user_id, room, near)` for the users of CTE `users`: room = the user's running cap (its
    /// `user_limits.max_running_runs`, else `$running_cap`, the scheduler's SWEEP_LIMIT_RUNNING_RUNS) minus its
    /// running runs; `near` when concurrent claims could pass the cap together. The count stops at the cap (LIMIT)
    /// and walks `task_runs_running_by_user_idx` (migrations 0012, 0024): one short index probe per user.
    /// MATERIALIZED: inlined, the count was copied into every place that reads `room` or `near`, and ran four times
    /// per claim (auto_explain: four walks of ~870 running runs, each with its heap fetches, ~0.55 ms apiece), where
    /// once per user is enough (issue 17, branch tpw). The count is a LATERAL aggregate, not a scalar subquery in an
    /// expression: the planner pulled that expression up into both `room` and `near`, so each user's running runs
    /// were still walked twice per statement (auto_explain of the claim: SubPlans 3 and 4, the same walk).
    static let userRoom = """
        room AS MATERIALIZED (
            SELECT u.user_id, greatest(0, c.cap - n.running)::int AS room, c.cap - n.running < $limit::int * \(concurrentClaimsBound) AS near
            FROM users u LEFT JOIN user_limits ul ON ul.user_id = u.user_id
            CROSS JOIN LATERAL (SELECT coalesce(ul.max_running_runs, $running_cap::int) AS cap) AS c
            \(runningRuns(of: "u.user_id"))
            WHERE u.user_id IS NOT NULL
        )
        """

    /// The first statement of a claim, in its transaction: counts each user's room (`userRoom`, the users with
    /// claimable runs), takes the claim lock of each user near its running cap (a transaction-scoped advisory lock
    /// keyed by migration 0012's number and the user) that no concurrent claim holds, and answers them as `held`,
    /// with every user's room as counted here (`users` and `rooms` in one order; `near_users`, those near their cap). `pickFairly`, the next
    /// statement, takes the rooms of users far from their cap from here and recounts only the held ones, in a
    /// snapshot taken after those locks, so it sees the runs of every claim that held them before; users near
    /// their cap that it does not hold it leaves for the claim that does. Users far from their cap are claimed
    /// without a lock: the cap costs concurrent claims nothing until it nearly binds. (Counting every user again
    /// in the second statement walked each user's running runs twice per claim, about 9 us of PostgreSQL's CPU per
    /// run of a wide scatter.)
    public static let lockUsersNearCap: SQLTemplate = """
        WITH RECURSIVE \(claimableUsers), \(userRoom)
        SELECT coalesce(array_agg(user_id) FILTER (WHERE locked), '{}')::bigint[] AS held,
               coalesce(array_agg(user_id), '{}')::bigint[] AS users, coalesce(array_agg(room), '{}')::bigint[] AS rooms,
               coalesce(array_agg(user_id) FILTER (WHERE near), '{}')::bigint[] AS near_users
        FROM (SELECT user_id, room, near,
                     CASE WHEN near THEN pg_try_advisory_xact_lock(12, (user_id % 2147483647)::integer) ELSE false END AS locked
              FROM room) AS r
        """

    /// CTE `room(user_id, room, near)` of the second statement of a claim, from what `lockUsersNearCap` answered
    /// (`$users`, `$rooms`, `$near_users`, `$held`): a user far from its cap keeps the room counted there; a user near
    /// it is counted again here, after its lock, when this claim holds that lock, and gets no room otherwise. A
    /// user whose runs became claimable between the two statements waits for the next claim.
    static let countedRoom = """
        room AS MATERIALIZED (
            SELECT s.user_id, CASE WHEN NOT s.near THEN s.room WHEN s.user_id = ANY($held::bigint[]) THEN coalesce(fresh.room, 0) ELSE 0 END AS room,
                   s.near
            FROM (SELECT u.user_id, u.room::int AS room, u.user_id = ANY($near_users::bigint[]) AS near
                  FROM unnest($users::bigint[], $rooms::bigint[]) AS u(user_id, room)) AS s
            LEFT JOIN LATERAL (
                SELECT greatest(0, c.cap - n.running)::int AS room
                FROM (SELECT coalesce((SELECT ul.max_running_runs FROM user_limits ul WHERE ul.user_id = s.user_id), $running_cap::int) AS cap) AS c
                \(runningRuns(of: "s.user_id", only: "s.near AND s.user_id = ANY($held::bigint[])"))
                WHERE s.near AND s.user_id = ANY($held::bigint[])
            ) AS fresh ON true
        )
        """

    /// CTE `picked(id, token, input, exec, static_output)`: up to `$limit` claimable runs, shared fairly between
    /// users. Every user with ready runs gets an equal share of the batch; the `$limit % users` shares left over go
    /// round robin (a turn counter, `sweep_claim_turn`, moves the window on by a batch each claim), so even with
    /// more users than a batch holds, every user is served within a few claims. What shares leave unused (users
    /// with fewer ready runs) goes to whoever has more, in ready order. So one user's 20,000 ready runs delay
    /// another user's run by at most a claim or two. Users are found by a skip scan (one index probe per user with
    /// scheduled runs) and each share walks that user's part of `task_runs_claimable_by_user_idx` (user_id,
    /// ready_at, id): SKIP LOCKED, so concurrent claims pass each other. No user gets more runs than its running cap
    /// leaves room for (`countedRoom`); over it, runs stay scheduled. `$held`, `$users`, `$rooms` and `$near_users` are
    /// what `lockUsersNearCap` answered.
    public static let pickFairly: SQLTemplate = """
        \(countedRoom), ranked AS (
            -- Ranked from `room` itself (the same users), so no join meets two lists of users: the claim routine
            -- plans without hash joins, and a nested loop over two CTEs would grow with the square of the users.
            SELECT user_id, room, near, row_number() OVER (ORDER BY user_id) - 1 AS rank, count(*) OVER () AS n
            FROM room
        ), shares AS (
            -- The per-user running cap: a share is at most the user's room, which is none for a user near its cap
            -- whose claim lock another claim holds. What a capped user leaves goes to the others through `rest`.
            SELECT r.user_id, a.room, least(a.room,
                   $limit::int / r.n + (((r.rank - (turn.n % r.n) * ($limit::int % r.n)) % r.n + r.n) % r.n < $limit::int % r.n)::int) AS share
            FROM ranked r
            CROSS JOIN LATERAL (SELECT CASE WHEN NOT r.near OR r.user_id = ANY($held::bigint[]) THEN r.room ELSE 0 END AS room) AS a,
            (SELECT nextval('sweep_claim_turn') AS n) AS turn
        ), fair AS (
            SELECT p.id FROM shares s CROSS JOIN LATERAL (
                SELECT t.id FROM task_runs t
                WHERE t.user_id = s.user_id AND \(schedulerClaimable("t")) AND t.ready_at <= coalesce($now::timestamptz, now())
                ORDER BY t.ready_at, t.id LIMIT s.share
                FOR UPDATE SKIP LOCKED) AS p
        ), rest AS (
            SELECT p.id FROM shares s CROSS JOIN LATERAL (
                SELECT t.id FROM task_runs t
                WHERE t.user_id = s.user_id AND \(schedulerClaimable("t")) AND t.ready_at <= coalesce($now::timestamptz, now())
                  AND t.id NOT IN (SELECT id FROM fair)
                -- fair took at most `share` of this user's runs, so this keeps the user within its room.
                ORDER BY t.ready_at, t.id LIMIT least($limit::int, s.room - s.share)
                FOR UPDATE SKIP LOCKED) AS p
            LIMIT $limit::int - (SELECT count(*) FROM fair)
        ), picked AS (
            -- The LIMIT changes no result (fair and rest hold at most $limit together); it tells the planner how few
            -- rows come, so the UPDATE finds them by key instead of hashing the whole table.
            SELECT id, sweep_new_token(id) AS token, NULL::jsonb AS input, NULL::jsonb AS exec, NULL::jsonb AS static_output
            FROM (SELECT id FROM fair UNION ALL SELECT id FROM rest) AS f
            LIMIT $limit::int
        )
        """

    /// CTEs that start the runs of a preceding CTE `picked(id, token, input, exec, static_output)`, locked by the
    /// caller: running under a lease of scheduler `$scheduler` for `$lease` seconds, attempt counted up (the fencing
    /// token), a progress token minted (only its hash stored). A picked row with an input is a chain successor
    /// prepared by the planner (pending until now): it gets its input and what to execute, and its
    /// `task.scheduled` event before its `task.started`; it is stored whole (`splice_launch_input` false). A claim
    /// answers each run's input through `RunInputSQL.claimedInput`. With `startingLaunches` (a claim), their launches
    /// that still wait start too (`LaunchSQL.startLaunches`) with `launch.started` first; the chain step, whose launch
    /// runs already, leaves that out. CTE `claimed` answers the runs.
    public static func start(startingLaunches: Bool) -> SQLTemplate {
        let launchEvents = !startingLaunches ? "" : """
                SELECT 0 AS stage, 0::bigint AS ord, user_id, id AS launch_id, NULL::text AS run_name, \(EventType.launchStarted.sql) AS type,
                       \(EventSQL.launchStartedData) AS data
                FROM started
                UNION ALL
            """
        return SQLTemplate("""
            claimed AS (
                UPDATE task_runs t SET state = \(RunState.running.sql), attempt = t.attempt + 1, claimed_by = $scheduler::text,
                       lease_expires_at = coalesce($now::timestamptz, now()) + make_interval(secs => $lease::int),
                       started_at = coalesce($now::timestamptz, clock_timestamp()),
                       progress_token_hash = encode(sha256(convert_to(picked.token, 'UTF8')), 'hex'),
                       input = coalesce(picked.input, t.input), splice_launch_input = picked.input IS NULL AND t.splice_launch_input,
                       exec = coalesce(picked.exec, t.exec),
                       static_output = CASE WHEN picked.input IS NULL THEN t.static_output ELSE nullif(picked.static_output, 'null'::jsonb) END,
                       waiting_on = 0, ready_at = coalesce(t.ready_at, coalesce($now::timestamptz, now()))
                FROM picked WHERE t.id = picked.id
                RETURNING t.id, t.launch_id, t.user_id, t.name, t.task_id, t.attempt, t.input, t.splice_launch_input, t.exec, t.static_output,
                          t.delay_seconds,
                          picked.token, picked.input IS NOT NULL AS was_pending
            ), \(startingLaunches ? LaunchSQL.startLaunches + "," : "") logged AS (
                INSERT INTO events (user_id, launch_id, run_name, type, data)
                SELECT user_id, launch_id, run_name, type, data FROM (
                    \(launchEvents)
                    SELECT 1 AS stage, id AS ord, user_id, launch_id, name AS run_name, \(EventType.taskScheduled.sql) AS type,
                           \(EventSQL.scheduledData) AS data
                    FROM claimed WHERE was_pending
                    UNION ALL
                    SELECT 2, id, user_id, launch_id, name, \(EventType.taskStarted.sql), \(EventSQL.startedData)
                    FROM claimed
                ) AS e ORDER BY stage, ord
            )
            """)
    }

    /// Claims up to `$limit` runs for scheduler `$scheduler` (`pickFairly`, then `start`) and announces the events;
    /// answers what the scheduler needs to execute each run. Run inside the transaction that records results.
    public static let claim: SQLTemplate = """
        WITH RECURSIVE \(pickFairly), \(start(startingLaunches: true)), announced AS (
            SELECT pg_notify('\(EventWriter.channel)', '') WHERE EXISTS (SELECT 1 FROM claimed)
        ), \(RunInputSQL.launchTexts)
        SELECT c.id, c.launch_id::text AS launch_id, c.user_id, c.name, c.task_id, c.attempt, \(RunInputSQL.claimedInput("c")) AS input, c.exec,
               c.static_output, c.token,
               l.max_runtime_seconds, (SELECT count(*) FROM announced) AS announced
        FROM claimed c JOIN launches l ON l.id = c.launch_id
        """

    /// Seconds until the next delayed run becomes claimable (null when none is scheduled); one probe per user.
    public static let secondsToNextReady: SQLTemplate = """
        WITH RECURSIVE users AS (
            (SELECT user_id FROM task_runs WHERE \(schedulerClaimable()) ORDER BY user_id LIMIT 1)
            UNION ALL
            SELECT (SELECT t.user_id FROM task_runs t WHERE \(schedulerClaimable("t")) AND t.user_id > u.user_id ORDER BY t.user_id LIMIT 1)
            FROM users u WHERE u.user_id IS NOT NULL
        )
        SELECT extract(epoch FROM min(next.ready_at) - coalesce($now::timestamptz, now()))::float8 AS s
        FROM users u CROSS JOIN LATERAL (
            SELECT t.ready_at FROM task_runs t WHERE t.user_id = u.user_id AND \(schedulerClaimable("t")) ORDER BY t.ready_at LIMIT 1) AS next
        WHERE u.user_id IS NOT NULL
        """

    // MARK: - Leases

    /// Extends the leases of scheduler `$scheduler` on runs `$ids` by `$lease` seconds from now, for those held at
    /// least `$held` seconds (whose lease has less than `$lease - $held` left). A run claimed since the last renewal
    /// is left for the next one, which comes before its lease runs short: the scheduler renews every third of a
    /// lease and passes half of that as `$held`. Every renewal rewrites a run row and its index entries (the lease
    /// is indexed); runs that end within milliseconds of their claim were renewed for nothing (0.05-0.15 updates
    /// per run of a 20,000-replica scatter, issue 17).
    public static let renewLeases: SQLTemplate = """
        UPDATE task_runs SET lease_expires_at = coalesce($now::timestamptz, now()) + make_interval(secs => $lease::int)
        WHERE id = ANY($ids::bigint[]) AND claimed_by = $scheduler::text AND \(byIDGuard(.running))
          AND lease_expires_at < coalesce($now::timestamptz, now()) + make_interval(secs => $lease::int - $held::float8)
        """

    /// running -> scheduled for runs `$ids` still leased to scheduler `$scheduler`, which is stopping: they run
    /// again elsewhere without being charged an attempt (max_attempts grows with the attempt the claim counted).
    public static let handBack: SQLTemplate = """
        UPDATE task_runs SET state = \(RunState.scheduled.sql), claimed_by = NULL, lease_expires_at = NULL,
               ready_at = coalesce($now::timestamptz, now()), max_attempts = max_attempts + 1, progress_token_hash = NULL
        WHERE id = ANY($ids::bigint[]) AND claimed_by = $scheduler::text AND \(byIDGuard(.running))
        """

    /// running -> scheduled for up to `$batch` runs whose lease expired before `$now` (their scheduler died) and
    /// that have attempts left, with their `task.retrying` events; answers launch_id and user_id per run.
    /// SKIP LOCKED: rescuers of several schedulers never wait on each other.
    public static let rescue: SQLTemplate = """
        WITH expired AS (
            SELECT id, attempt FROM task_runs
            WHERE state = \(RunState.running.sql) AND lease_expires_at < coalesce($now::timestamptz, now()) AND attempt < max_attempts
            LIMIT $batch::int FOR UPDATE SKIP LOCKED
        ), retries AS (
            SELECT id, attempt, 0::float8 AS delay, 'lease expired during attempt ' || attempt || '; retrying' AS error, NULL::text AS logs
            FROM expired
        ), \(requeue), announced AS (
            SELECT pg_notify('\(EventWriter.channel)', launch_id::text) FROM (SELECT DISTINCT launch_id FROM requeued) AS l
        )
        SELECT launch_id::text AS launch_id, user_id, (SELECT count(*) FROM announced) AS announced FROM requeued
        """

    /// Runs whose lease expired before `$now` with no attempt left (a read): they fail through `recordFailure`,
    /// fenced by the attempt they were claimed at.
    public static let expiredOutOfAttempts: SQLTemplate = """
        SELECT id, launch_id::text AS launch_id, attempt FROM task_runs
        WHERE state = \(RunState.running.sql) AND lease_expires_at < coalesce($now::timestamptz, now()) AND attempt >= max_attempts
        LIMIT $batch::int
        """
}
