import Foundation
import Postgres
import SweepJSON
import SweepStore

/// A maintenance service: returns runs whose lease expired (their scheduler died) to `scheduled` with the
/// attempt counted (`TaskRunSQL.rescue`, with their `task.retrying` events), and reports those past the house's
/// free rescues to the completer as task errors, fenced by their attempt: retried while the task's `retries`
/// allow (`LaunchProgression`), failed otherwise. Every scheduler runs it, with no leader: SKIP
/// LOCKED, small batches, idempotent. The clock is injected, so tests expire leases without waiting for them.
struct Rescuer {
    /// Runs looked at per pass.
    static let batch = 1000

    var clock: TransitionClock = .database

    /// Requeues what can be retried; returns failures for runs that used up their attempts.
    func rescue(_ connection: PostgresConnection) throws -> [RunCompletion] {
        let now = clock.now.postgresBind
        // Planned each time, like every periodic read of task_runs here: see `WaitingService.pass`.
        let requeued = try connection.query(TaskRunSQL.rescue.query(["now": now, "batch": Self.batch.postgresBind]).plannedEachTime())
        if !requeued.isEmpty { try connection.notify(channel: SchedulerChannels.ready, payload: "") }
        return try connection.query(TaskRunSQL.expiredOutOfAttempts.query(["now": now, "batch": Self.batch.postgresBind]).plannedEachTime()).map { row in
            let attempt = try row.decode(Int.self, column: "attempt")
            return RunCompletion(
                runID: try row.decode(Int64.self, column: "id"), launchID: try row.decode(String.self, column: "launch_id"),
                attempt: attempt, outcome: .failed("lease expired during attempt \(attempt) (its scheduler stopped answering)"))
        }
    }
}
