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
        let byLaunch = Dictionary(grouping: completions, by: \.launchID)
        var claimable = 0
        for launchID in byLaunch.keys.sorted() {
            guard let plan = try planners.plan(connection, launchID: launchID) else { continue }
            let completions = byLaunch[launchID]!
            if try completesLeaves(connection, launchID, plan, completions) { continue }
            guard let launch = try LaunchRecord.lock(connection, id: launchID) else { continue }
            let progression = LaunchProgression(connection: connection, launch: launch, plan: plan, now: clock.now)
            try progression.complete(completions)
            claimable += try progression.flush()
        }
        return claimable
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
