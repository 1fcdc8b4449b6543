import Postgres
import SweepStore

/// Plans per launch: a launch's definition and executors never change, so each is loaded and parsed once.
final class PlannerCache {
    private var plans: [String: LaunchPlan] = [:]
    private let capacity = 1024

    func plan(_ connection: PostgresConnection, launchID: String) throws -> LaunchPlan? {
        if let plan = plans[launchID] { return plan }
        guard let plan = try LaunchPlan.load(connection, launchID: launchID) else { return nil }
        if plans.count >= capacity { plans.removeAll(keepingCapacity: true) }
        plans[launchID] = plan
        return plan
    }
}
