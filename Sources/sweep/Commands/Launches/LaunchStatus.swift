import Foundation
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
            var columns = [Table.Column("RUN", "run_id"), Table.Column("TASK", "task_id")]
            // v1.1 task labels: a column only when some task has one, so unlabelled workflows look as before.
            if tasks.contains(where: { $0["label"]?.stringValue != nil }) { columns.append(Table.Column("LABEL", "label")) }
            columns += [
                Table.Column("STATE", "state"), Table.Column("ATTEMPT", "attempt"), Table.Column("STARTED", "started_at"),
                Table.Column("FINISHED", "finished_at"), Table.Column("ERROR", "error"),
            ]
            lines.append(Table(columns: columns).render(tasks))
            lines += taskDescriptions(tasks)
        }
        return lines.joined(separator: "\n")
    }

    /// Each described task once, in first-run order: `  TASK (LABEL): description`.
    static func taskDescriptions(_ tasks: [JSONValue]) -> [String] {
        var seen = Set<String>()
        var lines: [String] = []
        for task in tasks {
            guard let id = task["task_id"]?.stringValue, let text = task["description"]?.stringValue, seen.insert(id).inserted else { continue }
            let label = task["label"]?.stringValue.map { " (\($0))" } ?? ""
            lines.append("  \(id)\(label): \(text.replacingOccurrences(of: "\n", with: "\n    "))")
        }
        return lines.isEmpty ? [] : ["", "Descriptions:"] + lines
    }
}
