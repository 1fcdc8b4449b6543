import SweepJSON
import SweepStore

/// JSON shapes of launches and task runs (API.md).
enum LaunchRendering {
    static func summary(_ launch: LaunchSummary) -> JSONValue {
        var summary: JSONValue = [
            "launch_id": .string(launch.id), "workflow_id": .string(launch.workflowID), "version": .int(Int64(launch.version)),
            "state": .string(launch.state), "created_at": Timestamp.json(launch.createdAt),
            "started_at": Timestamp.json(launch.startedAt), "finished_at": Timestamp.json(launch.finishedAt),
            "progress": ["finished": .int(Int64(launch.finishedRuns)), "total": .int(Int64(launch.totalRuns)), "failed": .int(Int64(launch.failedRuns))],
            "parent_launch_id": launch.parentLaunchID.map(JSONValue.string) ?? .null, "parent_run_id": launch.parentRunName.map(JSONValue.string) ?? .null,
        ]
        // Only on the launches that ran a call's interceptor (listings leave those out): every other shape is unchanged.
        if launch.isInterceptor, case .object(var object) = summary {
            object["interceptor"] = true
            summary = .object(object)
        }
        return summary
    }

    /// A launch's status: the summary, `task_counts`, `tasks_truncated`, then, spliced in as JSON text without
    /// parsing them again, its input, output and first runs as PostgreSQL wrote them (`LaunchStatusQuery`), the
    /// launch's shared data (backend workflows) and `last_event_id`. Written into one buffer sized for all of it:
    /// appending each part to a copy of the previous whole (four buffers of half a megabyte, with the page faults of
    /// fresh memory) cost the worker about 0.9 ms of CPU per status of a 10,000-run launch (3.9 ms, now 3.0).
    static func statusBody(_ head: LaunchStatusHead, tasks: FirstRunsPage, taskCounts: [String: [String: Int]],
                           shared: [String: JSONValue], lastEventID: Int64) -> [UInt8] {
        guard case .object(var object) = summary(head.summary) else { return [] }
        object["tasks_truncated"] = .bool(tasks.truncated)
        object["task_counts"] = .object(taskCounts.mapValues { .object($0.mapValues { .int(Int64($0)) }) })
        let summaryJSON = JSONValue.object(object).jsonBytes
        let sharedJSON = JSONValue.object(shared).jsonBytes
        var body: [UInt8] = []
        body.reserveCapacity(summaryJSON.count + head.input.count + head.output.count + tasks.estimatedBytes + sharedJSON.count + 96)
        body += summaryJSON
        guard body.last == UInt8(ascii: "}") else { return body }
        body.removeLast()
        body += Array(#","input":"#.utf8)
        body += head.input
        body += Array(#","output":"#.utf8)
        body += head.output
        body += Array(#","tasks":"#.utf8)
        tasks.write(to: &body)
        body += Array(#","shared":"#.utf8)
        body += sharedJSON
        body += Array(",\"last_event_id\":\(lastEventID)}".utf8)
        return body
    }

    /// One task run. Edges to hidden bookkeeping runs (scatter gates that did their job) are left out.
    static func run(_ run: TaskRunRecord, hidden: Set<String>) -> JSONValue {
        [
            "run_id": .string(run.name), "task_id": .string(run.taskID), "state": .string(run.state), "attempt": .int(Int64(run.attempt)),
            "input": run.input ?? .null, "output": run.output ?? .null, "error": run.error.map(JSONValue.string) ?? .null,
            "created_at": Timestamp.json(run.createdAt), "started_at": Timestamp.json(run.startedAt), "finished_at": Timestamp.json(run.finishedAt),
            "ready_at": Timestamp.json(run.readyAt),
            "predecessors": .array(run.predecessors.filter { !hidden.contains($0) }.map(JSONValue.string)),
            "successors": .array(run.successors.filter { !hidden.contains($0) }.map(JSONValue.string)),
        ]
    }
}
