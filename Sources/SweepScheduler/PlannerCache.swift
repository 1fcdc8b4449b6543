import SweepJSON
import SweepModel
import SweepStore

/// Planners per launch (a launch's definition never changes, so parsing it once is enough).
final class PlannerCache {
    private var planners: [String: Planner] = [:]
    private let capacity = 1024

    func planner(for launch: LaunchRecord) throws -> Planner {
        if let planner = planners[launch.id] { return planner }
        let planner = try Planner(workflow: try Workflow(json: launch.definition))
        if planners.count >= capacity { planners.removeAll(keepingCapacity: true) }
        planners[launch.id] = planner
        return planner
    }
}
