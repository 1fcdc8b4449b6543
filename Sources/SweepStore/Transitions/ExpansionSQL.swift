import SweepStates

/// The statements of a chunked expansion's cursor (`launch_expansions`, migration 0020), in one place beside
/// `TaskRunSQL`: begun by the transaction that inserts an expansion's first chunk, moved on by each later chunk's
/// transaction and deleted by the last, always under the launch's row lock, so the cursor and the runs it counts
/// commit together (a scheduler that dies mid-chunk leaves the last committed state, never half a chunk).
public enum ExpansionSQL {
    /// Starts the cursor of launch `$launch` (user `$user`) for gate `$gate` (NULL: the launch's first runs), with
    /// `$next` of `$total` specs inserted; wakes the schedulers, which carry on with the rest.
    public static let begin: SQLTemplate = """
        WITH begun AS (
            INSERT INTO launch_expansions (launch_id, user_id, gate, next_offset, total)
            VALUES ($launch::uuid, $user, $gate::text, $next::int, $total::int)
            RETURNING launch_id
        )
        SELECT pg_notify('\(SchedulerChannels.ready)', '') FROM begun
        """

    /// Moves the cursor of launch `$launch` on to `$next` and wakes the schedulers for the next chunk.
    public static let advance: SQLTemplate = """
        WITH moved AS (
            UPDATE launch_expansions SET next_offset = $next::int WHERE launch_id = $launch::uuid RETURNING launch_id
        )
        SELECT pg_notify('\(SchedulerChannels.ready)', '') FROM moved
        """

    /// The expansion of launch `$launch` is done (or its launch ended).
    public static let finish: SQLTemplate = """
        DELETE FROM launch_expansions WHERE launch_id = $launch::uuid
        """

    /// Whether launch `$launch` has an expansion under way (a read).
    public static let pending: SQLTemplate = """
        SELECT gate, next_offset, total FROM launch_expansions WHERE launch_id = $launch::uuid
        """

    /// The launch of an expansion under way that no other scheduler is working on: its cursor row stays locked
    /// to the end of the transaction (SKIP LOCKED: two schedulers carry on with two launches, not queue on one).
    /// Only these chunk transactions lock cursor rows, and they take the launch's lock after it; everyone else
    /// reads cursors without a lock, so the order cannot deadlock.
    public static let pickUnderWay: SQLTemplate = """
        SELECT launch_id::text AS launch_id FROM launch_expansions ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED
        """

    /// Scatter gates of launch `$launch` whose predecessors all succeeded but that have not expanded: they waited
    /// for an expansion under way to finish (one at a time per launch keeps each expansion's spec list fixed).
    public static let deferredGates: SQLTemplate = """
        SELECT name FROM task_runs
        WHERE launch_id = $launch::uuid AND kind = \(RunKind.scatter.sql) AND state = \(RunState.pending.sql) AND waiting_on = 0
        ORDER BY id
        """
}
