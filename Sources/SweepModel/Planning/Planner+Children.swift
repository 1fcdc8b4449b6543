import SweepJSON

/// Runs a running task adds to its launch at run time (`POST /api/v1/run/children`, ColonyOS `add_child`). A child
/// is no task of the workflow: its run name is its task id, it waits on the run that added it, and what it
/// executes was resolved when it was added. A run it was added `before` gathers its output by run name.
extension Planner {
    /// True for the tasks of the workflow; false for children added at run time.
    public func isWorkflowTask(_ taskID: String) -> Bool { plan.tasks[taskID] != nil }

    /// A child's input once its parent (its one predecessor) succeeded: the standard task input, the parent's
    /// output under its task id.
    public static func childInput(parent: RunRecord?, staticInput: JSONValue?, launchInput: JSONValue?) -> JSONValue {
        var outputs: [String: JSONValue] = [:]
        if let parent { outputs[parent.taskID] = parent.output }
        var input: [String: JSONValue] = ["predecessor_outputs": .object(outputs), "static_input": staticInput ?? .object([:])]
        if let launchInput, !launchInput.isNull { input["launch_input"] = launchInput }
        return .object(input)
    }

    /// Adds the outputs of children among `predecessors` (runs of no workflow task) to `predecessor_outputs`, by
    /// run name: the run they were added before gathers them.
    static func gatherChildren(_ predecessors: [RunRecord], plan: ReplicationPlan, into input: inout [String: JSONValue]) {
        let children = predecessors.filter { plan.tasks[$0.taskID] == nil }
        guard !children.isEmpty, case .object(var outputs) = input["predecessor_outputs"] ?? .object([:]) else { return }
        for child in children { outputs[child.name] = child.output }
        input["predecessor_outputs"] = .object(outputs)
    }
}
