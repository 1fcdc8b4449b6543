import Postgres
import SweepStore

/// Records executor results, one launch at a time under its row lock (in id order, so two schedulers never
/// deadlock on two launches), and lets each launch move on.
struct Completer {
    let planners: PlannerCache

    /// Returns how many runs the completions made claimable.
    @discardableResult
    func complete(_ connection: PostgresConnection, _ completions: [RunCompletion]) throws -> Int {
        let byLaunch = Dictionary(grouping: completions, by: \.launchID)
        var claimable = 0
        for launchID in byLaunch.keys.sorted() {
            guard let launch = try LaunchRecord.lock(connection, id: launchID),
                  let plan = try planners.plan(connection, launchID: launchID) else { continue }
            let progression = LaunchProgression(connection: connection, launch: launch, plan: plan)
            try progression.complete(byLaunch[launchID]!)
            claimable += try progression.flush()
        }
        return claimable
    }
}
