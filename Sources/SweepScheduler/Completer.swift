import Postgres
import SweepStore

/// Records executor results, one launch at a time under its row lock (in id order, so two schedulers never
/// deadlock on two launches), and lets each launch move on.
struct Completer {
    let planners: PlannerCache

    func complete(_ connection: PostgresConnection, _ completions: [RunCompletion]) throws {
        let byLaunch = Dictionary(grouping: completions, by: \.launchID)
        for launchID in byLaunch.keys.sorted() {
            guard let launch = try LaunchRecord.lock(connection, id: launchID),
                  let plan = try planners.plan(connection, launchID: launchID) else { continue }
            let progression = LaunchProgression(connection: connection, launch: launch, plan: plan)
            try progression.complete(byLaunch[launchID]!)
            try progression.flush()
        }
    }
}
