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
}
