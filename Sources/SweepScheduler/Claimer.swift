import Postgres
import SweepJSON
import SweepStore

/// Claims ready runs in River's shape: a CTE picks claimable rows with FOR UPDATE SKIP LOCKED, and the UPDATE
/// turns them into leases of this scheduler, bumping `attempt` (the fencing token). The same statement marks
/// waiting launches running and appends the `task.started` / `launch.started` events: one round trip.
struct Claimer {
    let schedulerID: String
    let leaseSeconds: Int

    /// Claims up to `limit` runs; call inside a transaction (the events commit with the claim).
    func claim(_ connection: PostgresConnection, limit: Int) throws -> [ClaimedRun] {
        guard limit > 0 else { return [] }
        // Launches still waiting start now. SKIP LOCKED: a launch locked by a completer is left for a later claim
        // rather than waited on (waiting here could deadlock with that completer, which may wait on our rows).
        return try connection.query("""
            WITH picked AS (
                -- Each claim mints the run's progress token; only its hash is stored.
                SELECT id, sweep_new_token(id) AS token
                FROM task_runs
                WHERE state = 'scheduled' AND NOT throttled AND ready_at <= now()
                ORDER BY ready_at, id
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            ), claimed AS (
                UPDATE task_runs t SET state = 'running', attempt = t.attempt + 1, claimed_by = \(schedulerID),
                       lease_expires_at = now() + make_interval(secs => \(leaseSeconds)), started_at = clock_timestamp(),
                       progress_token_hash = encode(sha256(convert_to(picked.token, 'UTF8')), 'hex')
                FROM picked WHERE t.id = picked.id
                RETURNING t.id, t.launch_id, t.user_id, t.name, t.task_id, t.attempt, t.input, t.exec, t.static_output, picked.token
            ), started AS (
                UPDATE launches SET state = 'running', started_at = coalesce(started_at, clock_timestamp())
                WHERE id IN (SELECT id FROM launches WHERE id IN (SELECT launch_id FROM claimed) AND state = 'waiting' FOR UPDATE SKIP LOCKED)
                RETURNING id, user_id
            ), logged AS (
                INSERT INTO events (user_id, launch_id, run_name, type, data)
                SELECT user_id, launch_id, run_name, type, data || jsonb_build_object('ts', \(unsafeSQL: EventSQL.timestamp)) FROM (
                    SELECT 0 AS stage, 0::bigint AS ord, user_id, id AS launch_id, NULL::text AS run_name, 'launch.started' AS type,
                           jsonb_build_object('launch_id', id, 'state', 'running') AS data
                    FROM started
                    UNION ALL
                    SELECT 1, id, user_id, launch_id, name, 'task.started',
                           jsonb_build_object('launch_id', launch_id, 'run_id', name, 'state', 'running', 'attempt', attempt)
                    FROM claimed
                ) AS e ORDER BY stage, ord
            ), announced AS (
                SELECT pg_notify(\(EventWriter.channel), '') WHERE EXISTS (SELECT 1 FROM claimed)
            )
            SELECT c.id, c.launch_id::text AS launch_id, c.user_id, c.name, c.task_id, c.attempt, c.input, c.exec, c.static_output, c.token,
                   l.max_runtime_seconds, (SELECT count(*) FROM announced) AS announced
            FROM claimed c JOIN launches l ON l.id = c.launch_id
            """).map(ClaimedRun.init)
    }
}
