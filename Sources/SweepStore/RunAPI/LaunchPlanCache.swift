import Postgres
import Synchronization

/// Plans per launch for the run API's results, shared by the worker's request threads: a launch's definition and
/// executors never change, so an executor reporting 2,000 results of one launch parses its workflow once.
public final class LaunchPlanCache: Sendable {
    private let plans = Mutex<[String: LaunchPlan]>([:])
    private let capacity: Int

    public init(capacity: Int = 256) {
        self.capacity = capacity
    }

    public func plan(_ connection: PostgresConnection, launchID: String) throws -> LaunchPlan? {
        if let plan = plans.withLock({ $0[launchID] }) { return plan }
        guard let plan = try LaunchPlan.load(connection, launchID: launchID) else { return nil }
        plans.withLock { plans in
            if plans.count >= capacity { plans.removeAll(keepingCapacity: true) }
            plans[launchID] = plan
        }
        return plan
    }
}
