import Postgres
import SweepJSON
import SweepStore

/// Claims ready runs in River's shape: a CTE picks claimable rows with FOR UPDATE SKIP LOCKED, and the UPDATE
/// turns them into leases of this scheduler, bumping `attempt` (the fencing token) in the same statement.
struct Claimer {
    let schedulerID: String
    let leaseSeconds: Int

    /// Claims up to `limit` runs; call inside a transaction (the started events commit with the claim).
    func claim(_ connection: PostgresConnection, limit: Int) throws -> [ClaimedRun] {
        guard limit > 0 else { return [] }
        let runs = try connection.query("""
            WITH picked AS (
                SELECT id FROM task_runs
                WHERE state = 'scheduled' AND NOT throttled AND ready_at <= now()
                ORDER BY ready_at, id
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            )
            UPDATE task_runs t SET state = 'running', attempt = t.attempt + 1, claimed_by = \(schedulerID),
                   lease_expires_at = now() + make_interval(secs => \(leaseSeconds)), started_at = now()
            FROM picked, launches l
            WHERE t.id = picked.id AND l.id = t.launch_id
            RETURNING \(unsafeSQL: ClaimedRun.returning)
            """).map(ClaimedRun.init)
        guard !runs.isEmpty else { return [] }

        var byLaunch: [String: (UserID, [EventDraft])] = [:]
        for run in runs {
            byLaunch[run.launchID, default: (run.userID, [])].1.append(
                EventDraft(type: "task.started", runName: run.name, data: ["state": "running", "attempt": .int(Int64(run.attempt))]))
        }
        // Launches still waiting start now. SKIP LOCKED: a launch locked by a completer is left for a later claim
        // rather than waited on (waiting here could deadlock with that completer, which may wait on our rows).
        let started = try connection.query("""
            UPDATE launches SET state = 'running', started_at = coalesce(started_at, now())
            WHERE id IN (SELECT id FROM launches WHERE id = ANY(\(Array(byLaunch.keys))::uuid[]) AND state = 'waiting' FOR UPDATE SKIP LOCKED)
            RETURNING id::text AS id
            """)
        for row in started {
            let id = try row.decode(String.self, column: "id")
            byLaunch[id]?.1.insert(EventDraft(type: "launch.started", data: ["state": "running"]), at: 0)
        }
        for (launchID, (userID, events)) in byLaunch.sorted(by: { $0.key < $1.key }) {
            try EventWriter.append(connection, userID: userID, launchID: launchID, events)
        }
        return runs
    }
}
