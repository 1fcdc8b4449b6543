import Foundation
import Postgres
import SweepStore

/// A maintenance service (DESIGN §4): enforces `max_runtime` on runs that remote executors execute. A scheduler
/// times the runs it executes itself (the HTTP call's timeout, the process group's kill); an executor's run was
/// bounded only by its lease, which its heartbeats renew for as long as it likes. Every scheduler loop runs this
/// about once a second (`SWEEP_WAIT_CHECK_INTERVAL_MS`, beside `WaitTimeEnforcer`), with no leader: it reads the
/// executors' runs past their runtime (`TaskRunSQL.overdueExecutorRuns`: the task's `max_runtime`, else the
/// launch's `config.max_task_runtime`, else this scheduler's default, as for its own runs) and hands each to the
/// completer as the very failure a scheduler records for its own timeout ("timed out after N s (max_runtime)",
/// naming the setting that applied: `RuntimeLimit`), fenced by the attempt: retried while the task's `retries` allow, like any timeout. Two
/// enforcers, or an enforcer and the executor's own result, cannot both record an attempt; the executor's late
/// heartbeat or result then gets 409 `lease_lost`. The clock is injected, so tests move time instead of waiting.
struct RuntimeEnforcer {
    /// Overdue runs looked at per pass.
    static let batch = 100

    /// `SchedulerConfiguration.defaultRuntimeSeconds`: when neither the task nor the workflow sets a runtime.
    let defaultRuntimeSeconds: Int
    var clock: TransitionClock = .database

    /// The failures of one pass (empty when nothing is overdue).
    func enforce(_ connection: PostgresConnection) throws -> [RunCompletion] {
        // Planned each time (a generic plan made while task_runs was empty scans it): see `WaitingService.pass`.
        try connection.query(TaskRunSQL.overdueExecutorRuns.query([
            "now": clock.now.postgresBind, "default_runtime": defaultRuntimeSeconds.postgresBind, "batch": Self.batch.postgresBind,
        ]).plannedEachTime()).map { row in
            RunCompletion(
                runID: try row.decode(Int64.self, column: "id"), launchID: try row.decode(String.self, column: "launch_id"),
                attempt: try row.decode(Int.self, column: "attempt"),
                outcome: .failed(RuntimeLimit(
                    task: try row.decode(Int?.self, column: "task_seconds"), workflow: try row.decode(Int?.self, column: "workflow_seconds"),
                    scheduler: defaultRuntimeSeconds).timedOut),
                finishedAt: clock.now ?? Date())
        }
    }
}
