import SweepStates

/// Every statement that changes `task_runs`, in one place (River's `river_job.sql`): each named, documented, guarded
/// by state (and by attempt where a claim fences it), appending its events in the same statement, and taking its
/// time as `coalesce($now, now())` so tests can move the clock. The API, the scheduler loops, the rescuer and the
/// chain step's routine (`ChainStepRoutine`, built from these texts) all run these; nothing else writes the table.
///
/// A run moves pending -> scheduled -> running -> succeeded | failed, or ends upstream_failed / cancelled:
///
///     insertRuns ─ pending ─ schedule ─> scheduled ─ claim ─> running ─ recordSuccesses ─> succeeded
///                   │                      │    ^               │  └──── recordFailure ───> failed
///                   │                      │    └─ rescue, handBack (lease lost / scheduler stopping)
///                   ├ failPending ─> failed │
///                   └──── markUpstreamFailed, cancel ───> upstream_failed / cancelled
///
/// Launch counters move with them through `LaunchLedger` (written by `LaunchSQL`).
public enum TaskRunSQL {
    /// The predicate of `task_runs_claimable_by_user_idx`, written out whole (a partial index is used only when the
    /// statement states its predicate), for the runs of table alias `t` (or unqualified).
    static func claimable(_ t: String = "") -> String {
        let p = t.isEmpty ? "" : t + "."
        return "\(p)state = \(RunState.scheduled.sql) AND NOT \(p)throttled"
    }
    /// What schedulers may claim: the claimable runs without an executor type (migration 0017), the predicate of
    /// `task_runs_claimable_by_user_idx` written out whole. Executors' runs are claimed by `claimForExecutor` alone.
    static func schedulerClaimable(_ t: String = "") -> String {
        claimable(t) + " AND \(t.isEmpty ? "" : t + ".")executor_type IS NULL"
    }
    public static let open = RunState.sqlList(RunState.open)

    /// The state guard of a statement that finds its runs by id (lease renewals, hand-backs, a retry, a failure):
    /// `state =` compared under the "C" collation. Text equality is the same under every deterministic collation,
    /// but a condition of another collation does not prove a partial index's predicate, so the planner cannot answer
    /// `state = 'running'` from `task_runs_running_by_user_idx`. With statistics taken while few runs ran (a
    /// `VACUUM ANALYZE` before a launch) it did: a renewal of 256 leases walked every running run and compared each
    /// with all 256 ids. Not for `recordSuccesses`: a batch of completions joined by key then hashed a seq scan of
    /// the table while it was small, which cost more buffer reads per run (38 against 28) than walking the running
    /// runs (bounded by the running cap) as it does (issue 17, branch tpw).
    static func byIDGuard(_ state: RunState, _ t: String = "") -> String {
        "\(t.isEmpty ? "" : t + ".")state = \(state.sql) COLLATE \"C\""
    }

    // MARK: - Creating runs

    /// Inserts planned runs of launch `$launch` (user `$user`) from `$rows` (JSON records: name, task_id, kind,
    /// path, preds, succs, delay, waiting, and for runs ready at once input, splice (the input leaves out the launch's
    /// input: `RunInputSQL`), exec or shared_exec, static_output, throttled); `$shared_exec` maps task ids to the exec
    /// shared by their runs. `succs`: the run's successors known when it is planned (its expansion's), so no later
    /// statement updates its row to add them. Runs with an input are inserted scheduled (with their `task.scheduled` event unless `$scheduled_events` is false: the replicas of a chunked
    /// expansion, which its `task.expanded` announces), the others pending. Answers name, waiting_on, state.
    public static let insertRuns: SQLTemplate = """
        WITH ins AS (
            INSERT INTO task_runs (launch_id, user_id, name, task_id, kind, replica_path, predecessors, successors, delay_seconds, waiting_on,
                                   state, input, splice_launch_input, exec, static_output, throttled, ready_at)
            SELECT $launch::uuid, $user, r.name, r.task_id, r.kind, r.path, r.preds, coalesce(r.succs, '{}'), r.delay, r.waiting,
                   CASE WHEN r.input IS NULL THEN \(RunState.pending.sql) ELSE \(RunState.scheduled.sql) END, r.input, coalesce(r.splice, false),
                   CASE WHEN r.shared_exec THEN $shared_exec::jsonb -> r.task_id ELSE r.exec END,
                   nullif(r.static_output, 'null'::jsonb), coalesce(r.throttled, false),
                   CASE WHEN r.input IS NOT NULL THEN coalesce($now::timestamptz, now()) + make_interval(secs => r.delay) END
            FROM jsonb_to_recordset($rows::jsonb)
                 AS r(name text, task_id text, kind text, path int[], preds text[], succs text[], delay int, waiting int,
                      input jsonb, splice boolean, exec jsonb, shared_exec boolean, static_output jsonb, throttled boolean)
            RETURNING id, launch_id, name, task_id, delay_seconds, user_id, state, waiting_on
        ), logged AS (
            INSERT INTO events (user_id, launch_id, run_name, type, data)
            SELECT user_id, launch_id, name, \(EventType.taskScheduled.sql), \(EventSQL.scheduledData)
            FROM ins WHERE state = \(RunState.scheduled.sql) AND $scheduled_events::bool ORDER BY id
        )
        SELECT name, waiting_on, state FROM ins
        """

    /// Appends run names to their predecessors' successor lists: `$links` maps a predecessor's name to new names.
    public static let linkSuccessors: SQLTemplate = """
        UPDATE task_runs t SET successors = t.successors || ARRAY(SELECT jsonb_array_elements_text(m.value))
        FROM jsonb_each($links::jsonb) AS m
        WHERE t.launch_id = $launch::uuid AND t.name = m.key
        """

    /// Of the pending runs `$names`, those with a predecessor that failed, was upstream_failed or cancelled: they
    /// can never run (a read; `markUpstreamFailed` then closes them).
    public static let doomedRuns: SQLTemplate = """
        SELECT DISTINCT n.name FROM unnest($names::text[]) AS n(name)
        JOIN task_runs r ON r.launch_id = $launch::uuid AND r.name = n.name AND r.state = \(RunState.pending.sql)
        JOIN LATERAL unnest(r.predecessors) AS pn(name) ON true
        JOIN task_runs p ON p.launch_id = r.launch_id AND p.name = pn.name AND p.state IN \(RunState.sqlList(RunState.failing))
        """

    // MARK: - Becoming ready

    /// CTE `counted`: counts down, in launch `$launch`, the pending successors named by the preceding CTE
    /// `finished(name)` (one row per finished predecessor); answers each counted run's name and waiting_on.
    public static let countDown: SQLTemplate = """
        counted AS (
            UPDATE task_runs t SET waiting_on = t.waiting_on - c.n
            FROM (SELECT name, count(*)::int AS n FROM finished GROUP BY name) AS c
            WHERE t.launch_id = $launch::uuid AND t.name = c.name AND t.state = \(RunState.pending.sql)
            RETURNING t.name, t.waiting_on
        )
        """

    /// pending -> scheduled for the runs in `$rows` (JSON records: id, input, splice, exec, static_output, throttled), with
    /// their `task.scheduled` events. ready_at is the transaction's now() plus the run's delay: the claim at the end
    /// of the same transaction (ready_at <= now()) must see a successor scheduled here.
    public static let schedule: SQLTemplate = """
        WITH ready AS (
            UPDATE task_runs t SET state = \(RunState.scheduled.sql), input = r.input, splice_launch_input = coalesce(r.splice, false),
                   exec = r.exec, throttled = r.throttled,
                   static_output = CASE WHEN r.static_output = 'null'::jsonb THEN NULL ELSE r.static_output END,
                   ready_at = coalesce($now::timestamptz, now()) + make_interval(secs => t.delay_seconds)
            FROM jsonb_to_recordset($rows::jsonb) AS r(id bigint, input jsonb, splice boolean, exec jsonb, static_output jsonb, throttled boolean)
            WHERE t.id = r.id AND t.state = \(RunState.pending.sql)
            RETURNING t.id, t.launch_id, t.name, t.task_id, t.delay_seconds, t.user_id
        )
        INSERT INTO events (user_id, launch_id, run_name, type, data)
        SELECT user_id, launch_id, name, \(EventType.taskScheduled.sql), \(EventSQL.scheduledData)
        FROM ready ORDER BY id
        """

    /// Frees up to `$count` runs of launch `$launch` held back by max_task_concurrency, oldest first; answers
    /// (as the affected row count) how many.
    public static let releaseThrottled: SQLTemplate = """
        UPDATE task_runs SET throttled = false
        WHERE id IN (SELECT id FROM task_runs WHERE launch_id = $launch::uuid AND state = \(RunState.scheduled.sql) AND throttled
                     ORDER BY id LIMIT $count FOR UPDATE)
        """

    // MARK: - Claiming

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

    // MARK: - Ending runs

    /// CTEs recording successes: CTE `done` takes the rows of a preceding CTE `results(id, attempt, output, logs,
    /// finished)`, fenced by state and attempt, and answers id, launch_id, name, successors and user_id of those
    /// accepted; CTE `logged` appends their `task.succeeded` events. Every path that records a success runs this
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

    // MARK: - Re-running an ended launch (LaunchRerun)

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
