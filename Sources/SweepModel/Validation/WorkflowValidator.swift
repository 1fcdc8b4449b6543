/// The registration rules a decoded workflow must pass: one start, a connected acyclic graph, sound `follow`
/// targets, container-only properties on container tasks, and executables the user owns. Everything a launch
/// relies on is checked here, so a launch never fails for a reason registration could have seen.
public enum WorkflowValidator {
    /// Every problem found, in a stable order (graph shape first, then per task in posted order). Pass no catalog
    /// to check the structure alone (the planner does, on a stored workflow whose definitions may have changed).
    public static func problems(in workflow: Workflow, catalog: DefinitionCatalog?) -> [ValidationError] {
        var problems: [ValidationError] = []
        let tasksPointer = JSONPointer.root / "tasks"
        let graph = WorkflowGraph(workflow)

        if let catalog, let id = workflow.backend.interceptorFunctionID, !catalog.functionIDs.contains(id) {
            problems.append(ValidationError(.root / "interceptor" / "function_def_id", .unknownFunction, "function definition \(id) is not registered"))
        }
        if let catalog, case .container(let id)? = workflow.backend.interceptor?.executable, !catalog.containerIDs.contains(id) {
            problems.append(ValidationError(.root / "interceptor" / "container_def_id", .unknownContainer, "container definition \(id) is not registered"))
        }
        if workflow.tasks.count > ModelLimits.maxTasks {
            problems.append(ValidationError(tasksPointer, .tooManyTasks, "a workflow has at most \(ModelLimits.maxTasks) tasks, this one has \(workflow.tasks.count)"))
        }

        // Ids: unique, and never equal to a replica name of another task ("2_A" would be both).
        var firstIndex: [String: Int] = [:]
        for (index, task) in workflow.tasks.enumerated() {
            if let first = firstIndex[task.id] {
                problems.append(ValidationError(tasksPointer / index / "id", .duplicateTaskID, "task id \(task.id) is also used by task \(first)"))
            } else {
                firstIndex[task.id] = index
            }
        }
        for (index, task) in workflow.tasks.enumerated() {
            if let base = ReplicaName.possibleBaseTaskIDs(of: task.id).first(where: { firstIndex[$0] != nil }) {
                problems.append(ValidationError(tasksPointer / index / "id", .ambiguousTaskID,
                    "task id \(task.id) looks like a replica of task \(base); choose an id that does not end in _ and capital letters"))
            }
        }

        for (index, task) in workflow.tasks.enumerated() {
            for (position, successor) in task.successors.enumerated() where firstIndex[successor] == nil {
                problems.append(ValidationError(tasksPointer / index / "successors" / position, .unknownSuccessor, "task \(task.id) names successor \(successor), which is not a task of this workflow"))
            }
        }

        let starts = workflow.tasks.enumerated().filter { $0.element.properties.isStart }
        if starts.isEmpty {
            problems.append(ValidationError(tasksPointer, .missingStartTask, "exactly one task needs \"position\": \"start\"; none has it"))
        } else if starts.count > 1 {
            for (index, task) in starts.dropFirst() {
                problems.append(ValidationError(tasksPointer / index / "properties" / "position", .multipleStartTasks,
                    "exactly one task may have \"position\": \"start\"; task \(starts[0].element.id) already has it, so task \(task.id) cannot"))
            }
        }

        if let cycle = graph.findCycle() {
            // Point at the edge that closes the cycle.
            let from = cycle[cycle.count - 2], to = cycle[cycle.count - 1]
            let index = firstIndex[from]!
            let position = workflow.tasks[index].successors.firstIndex(of: to) ?? 0
            problems.append(ValidationError(tasksPointer / index / "successors" / position, .cycle,
                "the task graph must be acyclic; it has the cycle \(cycle.joined(separator: " -> "))"))
        } else if starts.count == 1 {
            let reachable = graph.reachable(from: starts[0].element.id)
            for (index, task) in workflow.tasks.enumerated() where firstIndex[task.id] == index && !reachable.contains(task.id) {
                problems.append(ValidationError(tasksPointer / index, .unreachableTask, "task \(task.id) cannot be reached from the start task \(starts[0].element.id)"))
            }
        }

        for (index, task) in workflow.tasks.enumerated() where firstIndex[task.id] == index {
            let pointer = tasksPointer / index
            if let catalog {
                for (position, configuration) in task.executionConfigurations.enumerated() {
                    switch configuration.executable {
                    case .function(let id) where !catalog.functionIDs.contains(id):
                        problems.append(ValidationError(pointer / "execution_configurations" / position / "function_def_id", .unknownFunction, "function definition \(id) is not registered"))
                    case .container(let id) where !catalog.containerIDs.contains(id):
                        problems.append(ValidationError(pointer / "execution_configurations" / position / "container_def_id", .unknownContainer, "container definition \(id) is not registered"))
                    default: break
                    }
                }
            }
            if !task.isContainerTask {
                for (present, key) in [(task.properties.environment != nil, "environment"), (task.properties.command != nil, "command")] where present {
                    problems.append(ValidationError(pointer / "properties" / key, .containerOnlyProperty,
                        "\(key) is only valid for container tasks (every execution configuration a container_def_id); task \(task.id) runs a function"))
                }
            }
            if let follow = task.properties.follow {
                let followPointer = pointer / "properties" / "follow"
                if firstIndex[follow] == nil {
                    problems.append(ValidationError(followPointer, .unknownFollowTarget, "task \(task.id) follows \(follow), which is not a task of this workflow"))
                } else if !isReplicated(follow, in: workflow, firstIndex: firstIndex) {
                    problems.append(ValidationError(followPointer, .followNotReplicated,
                        "task \(task.id) follows task \(follow), which is not replicated (no scatter, no multiplicity, follows nothing replicated)"))
                } else if !graph.ancestors(of: task.id).contains(follow) {
                    problems.append(ValidationError(followPointer, .followNotAncestor, "task \(task.id) follows task \(follow), which does not precede it in the graph"))
                }
            }
        }
        problems += ChildWorkflowRules.problems(in: workflow, catalog: catalog)
        return problems
    }

    /// Whether a task has replicas: it scatters, has a multiplicity, or follows such a task. Follow chains that loop
    /// count as not replicated (the cycle is reported separately).
    static func isReplicated(_ id: String, in workflow: Workflow, firstIndex: [String: Int]) -> Bool {
        var current = id
        var seen: Set<String> = []
        while let index = firstIndex[current], seen.insert(current).inserted {
            let properties = workflow.tasks[index].properties
            if properties.replication.isReplicated { return true }
            guard let next = properties.follow else { return false }
            current = next
        }
        return false
    }
}
