import SweepJSON
import SweepStore

/// JSON shapes of launches and task runs (API.md).
enum LaunchRendering {
    static func summary(_ launch: LaunchSummary) -> JSONValue {
        [
            "launch_id": .string(launch.id), "workflow_id": .string(launch.workflowID), "version": .int(Int64(launch.version)),
            "state": .string(launch.state), "created_at": Timestamp.json(launch.createdAt),
            "started_at": Timestamp.json(launch.startedAt), "finished_at": Timestamp.json(launch.finishedAt),
            "progress": ["finished": .int(Int64(launch.finishedRuns)), "total": .int(Int64(launch.totalRuns)), "failed": .int(Int64(launch.failedRuns))],
        ]
    }

    static func status(_ launch: LaunchSummary, runs: [TaskRunRecord], texts: [String: TaskTexts] = [:]) -> JSONValue {
        guard case .object(var object) = summary(launch) else { return .null }
        object["input"] = launch.input ?? .null
        object["output"] = launch.output ?? .null
        // Edges to hidden bookkeeping runs (scatter gates that did their job) are left out.
        let shown = Set(runs.map(\.name))
        object["tasks"] = .array(runs.map { run in
            var task: [String: JSONValue] = [
                "run_id": .string(run.name), "task_id": .string(run.taskID), "state": .string(run.state), "attempt": .int(Int64(run.attempt)),
                "input": run.input ?? .null, "output": run.output ?? .null, "error": run.error.map(JSONValue.string) ?? .null,
                "created_at": Timestamp.json(run.createdAt), "started_at": Timestamp.json(run.startedAt), "finished_at": Timestamp.json(run.finishedAt),
                "predecessors": .array(run.predecessors.filter(shown.contains).map(JSONValue.string)),
                "successors": .array(run.successors.filter(shown.contains).map(JSONValue.string)),
            ]
            // v1.1: only tasks that have a label or description carry them (most have none).
            if let text = texts[run.taskID] {
                if let label = text.label { task["label"] = .string(label) }
                if let description = text.description { task["description"] = .string(description) }
            }
            return .object(task)
        })
        return .object(object)
    }
}
