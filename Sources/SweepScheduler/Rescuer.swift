import Postgres
import SweepJSON
import SweepStore

/// Returns runs whose lease expired (their scheduler died) to `scheduled` with the attempt counted, and reports
/// those out of attempts so they fail through the completer. Guarded by state and lease, and SKIP LOCKED so
/// schedulers never wait on each other here.
struct Rescuer {
    /// Requeues what can be retried; returns failures for runs that used up their attempts.
    func rescue(_ connection: PostgresConnection) throws -> [RunCompletion] {
        let requeued = try connection.query("""
            WITH expired AS (
                SELECT id FROM task_runs
                WHERE state = 'running' AND lease_expires_at < now() AND attempt < max_attempts
                LIMIT 1000 FOR UPDATE SKIP LOCKED
            )
            UPDATE task_runs t SET state = 'scheduled', claimed_by = NULL, lease_expires_at = NULL, ready_at = now(), progress_token_hash = NULL,
                   error = 'lease expired during attempt ' || t.attempt || '; retrying'
            FROM expired WHERE t.id = expired.id
            RETURNING t.launch_id::text AS launch_id, t.user_id, t.name, t.attempt
            """)
        var byLaunch: [String: (UserID, [EventDraft])] = [:]
        for row in requeued {
            let launchID = try row.decode(String.self, column: "launch_id")
            let userID = UserID(try row.decode(Int64.self, column: "user_id"))
            let event = EventDraft(
                type: "task.retrying", runName: try row.decode(String.self, column: "name"),
                data: ["state": "scheduled", "attempt": .int(Int64(try row.decode(Int.self, column: "attempt")))])
            byLaunch[launchID, default: (userID, [])].1.append(event)
        }
        for (launchID, (userID, events)) in byLaunch.sorted(by: { $0.key < $1.key }) {
            try EventWriter.append(connection, userID: userID, launchID: launchID, events)
        }
        if !requeued.isEmpty { try connection.notify(channel: SchedulerChannels.ready, payload: "") }

        return try connection.query("""
            SELECT id, launch_id::text AS launch_id, attempt FROM task_runs
            WHERE state = 'running' AND lease_expires_at < now() AND attempt >= max_attempts
            LIMIT 1000
            """).map { row in
                RunCompletion(
                    runID: try row.decode(Int64.self, column: "id"), launchID: try row.decode(String.self, column: "launch_id"),
                    attempt: try row.decode(Int.self, column: "attempt"),
                    outcome: .failed("the run's scheduler stopped answering \(try row.decode(Int.self, column: "attempt")) times (lease expired); giving up"))
            }
    }
}
