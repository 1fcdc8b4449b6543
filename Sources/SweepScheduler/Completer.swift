import Postgres
import SweepStore

/// Records executor results, one launch at a time under its row lock (in id order, so two schedulers never
/// deadlock on two launches), and lets each launch move on.
struct Completer {
    let planners: PlannerCache
    var clock: TransitionClock = .database

    /// Returns how many runs the completions made claimable.
    @discardableResult
    func complete(_ connection: PostgresConnection, _ completions: [RunCompletion]) throws -> Int {
        try complete(connection, completions, waitingForLaunches: true).claimable
    }

    /// `complete`, waiting for a launch's row only when `waitingForLaunches`; otherwise the completions of a launch
    /// whose row another transaction holds are left (`deferred`) for a transaction that may wait. A step's
    /// transaction that claimed first holds the claimed rows, and a claim's FOR UPDATE also keeps a lock on a row
    /// another scheduler claimed since its snapshot (it skips that row, but the lock stays to COMMIT): waiting
    /// there for the launch that scheduler holds while completing that very row was a deadlock (2 schedulers,
    /// 20,000 replicas into a gather: about one launch in five; PostgreSQL's server log, branch dlk).
    func complete(_ connection: PostgresConnection, _ completions: [RunCompletion], waitingForLaunches: Bool) throws
        -> (claimable: Int, deferred: [RunCompletion]) {
        let byLaunch = Dictionary(grouping: completions, by: \.launchID)
        var claimable = 0
        var deferred: [RunCompletion] = []
        for launchID in byLaunch.keys.sorted() {
            guard let plan = try planners.plan(connection, launchID: launchID) else { continue }
            let completions = byLaunch[launchID]!
            switch try completesLeaves(connection, launchID, plan, completions, waiting: waitingForLaunches) {
            case .done: continue
            case .launchHeld: deferred += completions; continue
            case .notLeaves: break
            }
            let locked = waitingForLaunches ? try LaunchRecord.lock(connection, id: launchID) : try LaunchRecord.lockUnlessLocked(connection, id: launchID)
            guard let launch = locked else {
                // Held by another transaction (or deleted: the waiting transaction then drops these).
                if !waitingForLaunches { deferred += completions }
                continue
            }
            let progression = LaunchProgression(connection: connection, launch: launch, plan: plan, now: clock.now)
            try progression.complete(completions)
            claimable += try progression.flush()
        }
        return (claimable, deferred)
    }

    enum LeafOutcome { case done, launchHeld, notLeaves }

    /// Successes of leaf tasks in a launch without max_task_concurrency take `LeafCompletion`; the launch is
    /// ended through the locked path when they close its last runs. `notLeaves`: take the general path;
    /// `launchHeld`: nothing was recorded because another transaction holds the launch and `waiting` is false.
    func completesLeaves(_ connection: PostgresConnection, _ launchID: String, _ plan: LaunchPlan, _ completions: [RunCompletion],
                         waiting: Bool = true) throws -> LeafOutcome {
        guard plan.planner.workflow.config.maxTaskConcurrency == nil,
              completions.allSatisfy({ completion in
                  guard case .succeeded = completion.outcome, let taskID = completion.identity?.taskID else { return false }
                  return plan.planner.isLeaf(taskID: taskID)
              })
        else { return .notLeaves }
        let openRuns: Int?
        if waiting {
            openRuns = try LeafCompletion.record(connection, launchID: launchID, completions)
        } else {
            let recorded = try LeafCompletion.recordUnlessLocked(connection, launchID: launchID, completions)
            guard recorded.locked else { return .launchHeld }
            openRuns = recorded.openRuns
        }
        // The launch's row is this transaction's now (the count above took it) when a run was recorded.
        if openRuns == 0, let launch = try LaunchRecord.lock(connection, id: launchID) {
            try LaunchProgression(connection: connection, launch: launch, plan: plan, now: clock.now).flush()
        }
        return .done
    }
}
