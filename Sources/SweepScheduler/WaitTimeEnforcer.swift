import Foundation
import Postgres
import SweepStore
import SweepStates

/// A maintenance service (DESIGN §4): fails the scheduled runs that nothing started within their task's
/// `max_wait_time` (`wait_timeout`, API.md "Task semantics"), with everything downstream of them, as a failure
/// recorded by the completer would. Every scheduler loop runs it, with no leader: the overdue runs are read from
/// `task_runs_wait_deadline_idx` (migration 0014; empty, so free, unless such runs wait), each launch's are failed
/// under its row lock by one guarded statement that skips rows a claim holds (`TaskRunSQL.failUnstarted`), so two
/// enforcers, or an enforcer and a claim, never both act on a run. Durable: the deadline is ready_at plus the
/// task's max wait, both stored with the run. The clock is injected so tests move time instead of waiting.
struct WaitTimeEnforcer {
    /// Overdue runs looked at per pass; a full batch makes the loop look again soon.
    static let batch = 100
    /// `SWEEP_WAIT_CHECK_INTERVAL_MS`: how often each loop looks (a run may wait this much past its max wait).
    static let defaultInterval: Duration = .seconds(1)

    let planners: PlannerCache
    var clock: TransitionClock = .database

    /// One pass; returns how many overdue runs it saw (failed now, or by someone else meanwhile).
    func enforce(_ connection: PostgresConnection) throws -> Int {
        let now = clock.now
        // Planned each time (a generic plan made while task_runs was empty scans it): see `WaitingService.pass`.
        let rows = try connection.query(TaskRunSQL.overdueWaits.query(["now": now.postgresBind, "batch": Self.batch.postgresBind]).plannedEachTime())
        var byLaunch: [String: [RunRowID]] = [:]
        for row in rows {
            byLaunch[try row.decode(String.self, column: "launch_id"), default: []].append(try row.decode(Int64.self, column: "id"))
        }
        // One launch per transaction, in id order like the completer, so two schedulers never deadlock.
        for launchID in byLaunch.keys.sorted() {
            try connection.transaction { connection in
                guard let plan = try planners.plan(connection, launchID: launchID),
                      let launch = try LaunchRecord.lock(connection, id: launchID) else { return }
                let progression = LaunchProgression(connection: connection, launch: launch, plan: plan, now: now)
                if try progression.failUnstarted(byLaunch[launchID]!) > 0 { try progression.flush() }
            }
        }
        return rows.count
    }
}
