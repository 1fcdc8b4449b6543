extension Planner {
    /// The run that follows `run` alone, when nothing about it depends on the launch's shape: `run` is an
    /// unreplicated task with exactly one successor task, itself unreplicated, undelayed, and with `run`'s task as
    /// its only predecessor. That successor is ready the moment `run` succeeds, and its spec is the one `start()`
    /// created for it, so the scheduler can prepare and claim it while recording `run`'s result (one statement: the
    /// chain fast path). Nil for anything else, which goes through the general count-down.
    public func plainSuccessor(of run: RunRecord) -> RunSpec? {
        let successors = plan.graph.successors(of: run.taskID)
        guard run.replicaPath.isEmpty, run.name == run.taskID, plan.chain(run.taskID).isEmpty, successors.count == 1 else { return nil }
        let successor = successors[0]
        guard let task = plan.tasks[successor], case .none = task.properties.replication, plan.chain(successor).isEmpty,
              task.properties.delay == 0, task.properties.semantics.enabled, plan.graph.predecessors(of: successor) == [run.taskID],
              // Timers, signals and child workflows are never claimed: they wait (`WaitingTask`).
              task.kind == .executable
        else { return nil }
        return RunSpec(name: successor, taskID: successor, replicaPath: [], kind: .task, predecessors: [run.name], delaySeconds: 0)
    }
}

extension Planner {
    /// Whether runs of this task can have no successors (no task depends on it): their success only counts.
    public func isLeaf(taskID: String) -> Bool {
        plan.tasks[taskID] != nil && plan.graph.successors(of: taskID).isEmpty
    }
}

extension Planner {
    /// Whether runs of this task are not replicated at all (one run, named as the task, replica path []).
    public func isUnreplicated(taskID: String) -> Bool {
        plan.tasks[taskID] != nil && plan.chain(taskID).isEmpty
    }
}
