import SweepStates

/// Every statement that changes `launches` after its creation, in one place (see `TaskRunSQL`): the ledger's
/// write-back, the start at first claim or first wait, and the counting of successes on the paths that take no lock
/// across statements (leaf successes, the chain step).
public enum LaunchSQL {
    /// CTE `started`: launches of the runs in a preceding CTE `claimed(launch_id)` that still wait start now.
    /// SKIP LOCKED: a launch locked by a completer is left for a later claim rather than waited on (waiting here
    /// could deadlock with that completer, which may wait on our rows).
    public static let startLaunches = """
        started AS (
            UPDATE launches SET state = \(LaunchState.running.sql), started_at = coalesce(started_at, coalesce($now::timestamptz, clock_timestamp()))
            WHERE id IN (SELECT id FROM launches WHERE id IN (SELECT launch_id FROM claimed) AND state = \(LaunchState.waiting.sql)
                         FOR UPDATE SKIP LOCKED)
            RETURNING id, user_id
        )
        """

    /// CTE `counted`: counts the runs of a preceding CTE `done` as succeeded on launch `$launch` (the ledger's
    /// `succeeded(n)`), and `$admitted` runs as newly claimable (`admitted`), when at least one was accepted;
    /// answers open_runs. The launch's row lock is taken here, last, and held only to COMMIT.
    /// `source` is the CTE counted, one row per accepted run: `done`, or `logged` (their `task.succeeded` events,
    /// `TaskRunSQL.recordSuccesses`) to write the events before the lock. A data-modifying CTE that nothing reads
    /// runs after the main query, so with `done` the events were inserted while the launch's row was held, and
    /// every other scheduler completing runs of the same launch waited for that insert too (auto_explain: ~2 ms
    /// for 200 events).
    public static func countSucceeded(from source: String = "done") -> String {
        """
        counted AS (
            UPDATE launches l SET open_runs = l.open_runs - c.n, active_runs = l.active_runs - c.n + $admitted::int,
                   finished_runs = l.finished_runs + c.n
            FROM (SELECT count(*)::int AS n FROM \(source)) AS c
            WHERE l.id = $launch::uuid AND c.n > 0
            RETURNING l.open_runs
        )
        """
    }

    /// Writes a locked launch's ledger back (`$state` and the counters), ends it when `$ended` (finished_at,
    /// `$output`), appends the drafted `$events` (JSON rows of `EventWriter.rows`), and sends the notifications:
    /// events written (`$notify_events`), runs made claimable (`$claimable`), the launch's end.
    public static let flush: SQLTemplate = """
        WITH updated AS (
            UPDATE launches SET state = $state::text, replica_counts = $replica_counts::jsonb,
                   open_runs = $open::int, active_runs = $active::int, total_runs = $total::int,
                   finished_runs = $finished::int, failed_runs = $failed::int,
                   finished_at = CASE WHEN $ended::bool THEN coalesce(finished_at, coalesce($now::timestamptz, clock_timestamp())) ELSE finished_at END,
                   output = coalesce($output::jsonb, output)
            WHERE id = $launch::uuid
            RETURNING 1
        ), logged AS (
            INSERT INTO events (user_id, launch_id, run_name, type, data)
            SELECT $user, $launch::uuid, e.value->>'run', e.value->>'type',
                   (e.value->'data') || jsonb_build_object('ts', \(EventSQL.timestamp))
            FROM jsonb_array_elements($events::jsonb) WITH ORDINALITY AS e(value, n)
            ORDER BY e.n
        )
        SELECT CASE WHEN $notify_events::bool THEN pg_notify('\(EventWriter.channel)', $launch::text) END,
               CASE WHEN $claimable::bool THEN pg_notify('\(SchedulerChannels.ready)', '') END,
               CASE WHEN $ended::bool THEN pg_notify('\(SchedulerChannels.launchDone)', $launch::text) END
        """

    /// waiting -> running for launch `$launch` whose first runs to start are waiting ones (a timer, signal or child
    /// workflow task ready before anything was claimed, so `startLaunches` never runs for it): a launch waiting on
    /// its own timer or signal is under way, as a Temporal workflow waiting for a signal is running. started_at is
    /// the instant its waiting run `$run` began waiting, or now when its runs are only now entering waiting (`$run`
    /// NULL), with `launch.started`, appended before those runs' own events as a claim appends it. The caller holds
    /// the launch's lock. Guarded: only a launch still waiting.
    public static let startWaiting: SQLTemplate = """
        WITH started AS (
            UPDATE launches SET state = \(LaunchState.running.sql),
                   started_at = coalesce(started_at, (SELECT r.started_at FROM task_runs r WHERE r.id = $run::bigint AND r.launch_id = $launch::uuid),
                                         coalesce($now::timestamptz, now()))
            WHERE id = $launch::uuid AND state = \(LaunchState.waiting.sql)
            RETURNING id, user_id
        )
        INSERT INTO events (user_id, launch_id, run_name, type, data)
        SELECT user_id, id, NULL, \(EventType.launchStarted.sql), \(EventSQL.launchStartedData) FROM started
        """

    /// ended -> running for launch `$launch`, re-run (`LaunchRerun`): end time and output are cleared (a launch
    /// cancelled before it started counts as started now), and its `launch.rerun` event, naming what was asked
    /// (`$asked`), the runs re-opened (`$runs`, of `$run_count`) and those deleted to be planned again
    /// (`$replanned`, of `$replanned_count`; the lists are capped, `LaunchRerun.eventNamesLimit`), is appended
    /// before any event of the runs it re-opens. Guarded: only an ended launch. Answers one row when it re-opened.
    public static let reopen: SQLTemplate = """
        WITH reopened AS (
            UPDATE launches SET state = \(LaunchState.running.sql), finished_at = NULL, output = NULL, error = NULL,
                   started_at = coalesce(started_at, coalesce($now::timestamptz, clock_timestamp()))
            WHERE id = $launch::uuid AND state IN \(LaunchState.sqlList(LaunchState.terminal))
            RETURNING id, user_id
        ), logged AS (
            INSERT INTO events (user_id, launch_id, run_name, type, data)
            SELECT user_id, id, NULL, \(EventType.launchRerun.sql),
                   jsonb_build_object('launch_id', id::text, 'state', \(LaunchState.running.sql), 'rerun', $asked::jsonb,
                                      'runs', $runs::jsonb, 'replanned', $replanned::jsonb,
                                      'run_count', $run_count::int, 'replanned_count', $replanned_count::int, 'ts', \(EventSQL.timestamp))
            FROM reopened
        )
        SELECT id::text AS id FROM reopened
        """

    /// A read: launch `$launch`'s counters recounted from its runs (what `LaunchLedger` keeps incrementally), for a
    /// re-run, which changes too many runs at once to count them one transition at a time.
    public static let recount: SQLTemplate = """
        SELECT count(*) FILTER (WHERE state IN \(TaskRunSQL.open))::int AS open_runs,
               count(*) FILTER (WHERE state = \(RunState.running.sql) OR (state = \(RunState.scheduled.sql) AND NOT throttled))::int AS active_runs,
               count(*) FILTER (WHERE kind = \(RunKind.task.sql))::int AS total_runs,
               count(*) FILTER (WHERE kind = \(RunKind.task.sql) AND state NOT IN \(TaskRunSQL.open))::int AS finished_runs,
               count(*) FILTER (WHERE state = \(RunState.failed.sql))::int AS failed_runs
        FROM task_runs WHERE launch_id = $launch::uuid
        """

    /// Deletes launch `$launch` of user `$user` if it has ended, with its runs and events (the statement trigger of
    /// migration 0004 deletes those rows; logs and outputs live in the runs). Guarded: a waiting or running launch is
    /// never deleted, and a re-run that re-opened the launch first makes this delete nothing. Answers its id.
    public static let deleteEnded: SQLTemplate = """
        DELETE FROM launches
        WHERE user_id = $user AND id = $launch::uuid AND state IN \(LaunchState.sqlList(LaunchState.terminal))
        RETURNING id::text AS id
        """

    /// Deletes up to `$batch` ended launches of user `$user` (oldest first), of state `$state` and workflow
    /// `$workflow` when given (NULL: any), with their runs and events; answers how many went (the affected row
    /// count). SKIP LOCKED: a launch being re-run or cancelled is left for a later batch.
    public static let deleteEndedBatch: SQLTemplate = """
        DELETE FROM launches WHERE id IN (
            SELECT id FROM launches
            WHERE user_id = $user AND state IN \(LaunchState.sqlList(LaunchState.terminal))
              AND ($state::text IS NULL OR state = $state::text) AND ($workflow::text IS NULL OR workflow_id = $workflow::text)
            ORDER BY created_at, id
            LIMIT $batch::int FOR UPDATE SKIP LOCKED)
        """

    /// A chunk of a chunked expansion inserted without the launch's row lock (`continueExpansionUnlocked`) counts
    /// its `$admitted` runs as claimable on launch `$launch`, here, last, so the row lock is held only to COMMIT,
    /// and only while the launch is still open: a cancel or an end committed meanwhile makes this answer 0, and
    /// the caller rolls the chunk back (its runs must not be claimed in an ended launch). Wakes the event
    /// streams when the chunk appended events (`$notify_events`). Answers counted (0 or 1).
    public static let countAdmitted: SQLTemplate = """
        WITH counted AS (
            UPDATE launches SET active_runs = active_runs + $admitted::int
            WHERE id = $launch::uuid AND state NOT IN \(LaunchState.sqlList(LaunchState.terminal))
            RETURNING id
        )
        SELECT count(*)::int AS counted,
               CASE WHEN $notify_events::bool AND count(*) > 0 THEN pg_notify('\(EventWriter.channel)', $launch::text) END AS notified
        FROM counted
        """
}
