import Foundation
import Postgres
import SweepJSON
import SweepModel
import SweepStates
import SweepStore

/// A maintenance service (DESIGN §4) for runs that wait instead of executing (`WaitingTask`): it ends due timers
/// (succeeded, no output), delivers signals that arrived before their task was reached, fails signals past their
/// `timeout` (`signal_timeout`), makes the child launch of each `workflow` run, and completes a `workflow` run
/// when its child ended (the child's output, or `child_failed`). Every scheduler runs it, with no leader: each run
/// is re-checked under its launch's lock (taken SKIP LOCKED, so services never queue on one launch), small
/// batches, idempotent (guards on state and attempt; the child launch has an idempotency key per parent run and
/// attempt). Both reads walk partial indexes (`task_runs_waiting_due_idx`, `launches_child_ended_idx`) that hold
/// only what is due, so 10,000 runs waiting on signals cost it two empty index probes a pass. The clock is
/// injected: tests end timers by moving it.
struct WaitingService {
    /// Runs (and ended children) looked at per pass.
    static let defaultBatch = 100
    /// `SWEEP_WAITING_INTERVAL_MS`: how often each loop looks when nothing woke it (a NOTIFY on
    /// `SchedulerChannels.waiting` wakes it at once: a child's end, a run due now).
    static let defaultInterval: Duration = .milliseconds(250)

    /// How soon a child launch held back by its user's `max_launches_in_flight` is tried again.
    static let atLimitRecheckSeconds = 1.0

    var clock: TransitionClock = .database
    var batch = WaitingService.defaultBatch
    let planners: PlannerCache
    /// `SWEEP_LIMIT_LAUNCHES_IN_FLIGHT`: the limit of users whose `user_limits` row sets none.
    var defaultMaxLaunchesInFlight = LimitDefaults.defaultMaxLaunchesInFlight

    /// One pass; returns how many runs it moved on (a full batch means: look again soon).
    func pass(_ connection: PostgresConnection) throws -> Int {
        let now = clock.now
        var moved = 0
        // Planned each time: a generic plan made while task_runs was empty (right after VACUUM ANALYZE) seq-scanned
        // it on every pass once a launch had filled it (~30 ms a pass on a loaded host), never the index.
        let due = try connection.query(TaskRunSQL.dueWaiting.query(["now": now.postgresBind, "batch": batch.postgresBind]).plannedEachTime())
        for row in due {
            let run = try row.decode(Int64.self, column: "id")
            let attempt = try row.decode(Int.self, column: "attempt")
            let launchID = try row.decode(String.self, column: "launch_id")
            if try connection.transaction({ try settleDue($0, launchID: launchID, run: run, attempt: attempt) }) { moved += 1 }
        }
        let children = try connection.query(LaunchSQL.endedChildren.query(["batch": batch.postgresBind]))
        for row in children {
            let childID = try row.decode(String.self, column: "id")
            let parentID = try row.decode(String.self, column: "parent_launch_id")
            let parentRun = try row.decode(Int64.self, column: "parent_run_id")
            let outcome = ChildLaunch.outcome(
                childID: childID, state: LaunchState(rawValue: try row.decode(String.self, column: "state")) ?? .failed,
                output: try row.decode(JSONValue?.self, column: "output"), error: try row.decode(String?.self, column: "error"))
            if try connection.transaction({ try settleChild($0, childID: childID, parentID: parentID, run: parentRun, outcome: outcome) }) { moved += 1 }
        }
        return moved
    }

    /// The parent's lock, SKIP LOCKED: a launch another service or a completer holds is left for the next pass.
    private func lock(_ connection: PostgresConnection, _ launchID: String) throws -> (LaunchRecord, LaunchPlan)? {
        guard try !connection.query("SELECT 1 FROM launches WHERE id = \(launchID)::uuid FOR NO KEY UPDATE SKIP LOCKED").isEmpty,
              let launch = try LaunchRecord.lock(connection, id: launchID),
              let plan = try planners.plan(connection, launchID: launchID) else { return nil }
        return (launch, plan)
    }

    private func settleDue(_ connection: PostgresConnection, launchID: String, run: Int64, attempt: Int) throws -> Bool {
        guard let (launch, plan) = try lock(connection, launchID),
              let row = try connection.query(TaskRunSQL.lockDueWaiting.query([
                  "run": run.postgresBind, "attempt": attempt.postgresBind, "now": clock.now.postgresBind,
              ])).first,
              try row.decode(Bool.self, column: "due"),
              let waiting = WaitingTask(exec: try row.decode(JSONValue?.self, column: "exec"))
        else { return false }
        let progression = LaunchProgression(connection: connection, launch: launch, plan: plan, now: clock.now)
        let taskID = try row.decode(String.self, column: "task_id")
        switch waiting.kind {
        case .timer:
            try progression.completeWaiting(run: run, attempt: attempt, outcome: .succeeded(.null))
        case .signal:
            if let signal = try SignalStore.payload(connection, userID: launch.userID, launchID: launchID, taskID: taskID) {
                try progression.completeWaiting(run: run, attempt: attempt, outcome: .succeeded(signal))
            } else {
                try progression.completeWaiting(run: run, attempt: attempt, outcome: .failed(TaskRunError(
                    code: .signalTimeout, message: "task \(taskID) received no signal within its timeout").description))
            }
        case .workflow:
            switch try ChildLaunch.start(connection, userID: launch.userID, parentID: launchID, run: run, attempt: attempt,
                                         waiting: waiting, input: try row.decode(JSONValue?.self, column: "input"),
                                         defaultMaxLaunchesInFlight: defaultMaxLaunchesInFlight) {
            case .started:
                try connection.execute(TaskRunSQL.clearDeadline.query(["run": run.postgresBind, "attempt": attempt.postgresBind]))
            case .atLimit:
                // The user has max_launches_in_flight launches already: the parent run keeps waiting (it never
                // fails for this) and its child is tried again shortly, when one of them may have ended.
                try connection.execute(TaskRunSQL.dueLater.query([
                    "run": run.postgresBind, "attempt": attempt.postgresBind, "now": clock.now.postgresBind,
                    "seconds": Self.atLimitRecheckSeconds.postgresBind,
                ]))
                return false
            case .refused(let error):
                try progression.completeWaiting(run: run, attempt: attempt, outcome: .failed(error.description))
            }
        }
        try progression.flush()
        return true
    }

    private func settleChild(_ connection: PostgresConnection, childID: String, parentID: String, run: Int64,
                             outcome: RunCompletion.Outcome) throws -> Bool {
        guard let (launch, plan) = try lock(connection, parentID) else { return false }
        // The parent run at any attempt still waiting (a later attempt has another child; its key differs).
        let attempt = try connection.query("""
            SELECT t.attempt FROM task_runs t JOIN launches c ON c.id = \(childID)::uuid AND c.parent_run_id = t.id
            WHERE t.id = \(run) AND t.state = \(unsafeSQL: RunState.waiting.sql)
              AND c.idempotency_key = 'sweep-child:' || t.id || ':' || t.attempt
            FOR UPDATE OF t
            """).first.map { try $0.decode(Int.self, column: "attempt") }
        if let attempt {
            let progression = LaunchProgression(connection: connection, launch: launch, plan: plan, now: clock.now)
            try progression.completeWaiting(run: run, attempt: attempt, outcome: outcome)
            try progression.flush()
        }
        try connection.execute(LaunchSQL.markParentNotified.query(["child": childID.postgresBind]))
        return true
    }
}
