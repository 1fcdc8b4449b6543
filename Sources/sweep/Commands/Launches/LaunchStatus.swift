import SweepJSON
import SweepStates

/// A launch status as the CLI shows and judges it (the states themselves are SweepStates' `LaunchState`).
enum LaunchStatus {
    static let all = LaunchState.allCases.map(\.rawValue)

    static func isTerminal(_ status: JSONValue) -> Bool {
        status["state"]?.stringValue.map(LaunchState.isTerminal) ?? false
    }

    /// Exit 1 (as a CLIError) when a finished launch did not succeed.
    static func checkSucceeded(_ status: JSONValue) throws(CLIError) {
        let state = status["state"]?.stringValue ?? "unknown"
        if state != LaunchState.succeeded.rawValue {
            throw CLIError(.launchFailed, "launch \(status["launch_id"]?.cellText ?? "?") \(state)")
        }
    }

    static let summaryColumns = [
        Table.Column("LAUNCH", "launch_id"), Table.Column("WORKFLOW", "workflow_id"), Table.Column("VERSION", "version"),
        Table.Column("STATE", "state"), Table.Column("CREATED", "created_at"), Table.Column("FINISHED", "finished_at"),
    ]

    /// The human form of a launch status: a header and a table of its task runs.
    static func describe(_ status: JSONValue) -> String {
        var lines = [
            "Launch:   \(status["launch_id"]?.cellText ?? "-")",
            "Workflow: \(status["workflow_id"]?.cellText ?? "-") (version \(status["version"]?.cellText ?? "-"))",
            "State:    \(status["state"]?.cellText ?? "-")",
            "Created:  \(status["created_at"]?.cellText ?? "-")",
            "Started:  \(status["started_at"]?.cellText ?? "-")",
            "Finished: \(status["finished_at"]?.cellText ?? "-")",
        ]
        if let output = status["output"], !output.isNull { lines.append("Output:   \(output.jsonString)") }
        if let tasks = status["tasks"]?.arrayValue, !tasks.isEmpty {
            lines.append("")
            lines.append(Table(columns: [
                Table.Column("RUN", "run_id"), Table.Column("TASK", "task_id"), Table.Column("STATE", "state"),
                Table.Column("ATTEMPT", "attempt"), Table.Column("STARTED", "started_at"),
                Table.Column("FINISHED", "finished_at"), Table.Column("ERROR", "error"),
            ]).render(tasks))
        }
        return lines.joined(separator: "\n")
    }
}
