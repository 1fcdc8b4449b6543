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
            // Leaf successes wait for the launch as before: they take its row last, in their one statement, and a
            // launch of leaves only has no transaction that holds its row while it waits for runs. (A launch whose
            // leaf and other runs complete together keeps that rarer cycle: taking the row SKIP LOCKED here too
            // cost a 20,000-leaf scatter about 15% more CPU per run, from the steps it deferred.)
            if try completesLeaves(connection, launchID, plan, completions) { continue }
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

    /// Successes of leaf tasks in a launch without max_task_concurrency take `LeafCompletion`; the launch is
    /// ended through the locked path when they close its last runs. False: take the general path.
    func completesLeaves(_ connection: PostgresConnection, _ launchID: String, _ plan: LaunchPlan, _ completions: [RunCompletion]) throws -> Bool {
        guard plan.planner.workflow.config.maxTaskConcurrency == nil,
              completions.allSatisfy({ completion in
                  guard case .succeeded = completion.outcome, let taskID = completion.identity?.taskID else { return false }
                  return plan.planner.isLeaf(taskID: taskID)
              })
        else { return false }
        if try LeafCompletion.record(connection, launchID: launchID, completions) == 0,
           let launch = try LaunchRecord.lock(connection, id: launchID) {
            try LaunchProgression(connection: connection, launch: launch, plan: plan, now: clock.now).flush()
        }
        return true
    }
}
