import SweepExpression
import SweepJSON

/// The workflow-level `output` expression (API.md v1.1): evaluated once when a launch succeeds, over
/// `task_outputs`, a dict from task id to its run's output, or, for a replicated task, the list (nested per
/// replication level, in replica order) of its replicas' outputs. Its value is the launch's `output`.
public enum WorkflowOutput {
    static let names: Set<String> = ["task_outputs"]

    static func parse(_ source: String, at pointer: JSONPointer) throws(ValidationError) -> Expression {
        try TaskProperties.parse(source, at: pointer, name: "output", names: names)
    }

    public static func evaluate(_ expression: Expression, taskOutputs: [String: JSONValue]) -> Result<JSONValue, TaskRunError> {
        do {
            return .success(try expression.evaluate(["task_outputs": .object(taskOutputs)]))
        } catch {
            return .failure(TaskRunError(code: .outputFailed, message: "the workflow's output could not be evaluated: \(error.description) in \(expression.source)"))
        }
    }

    /// `task_outputs` from the launch's succeeded task runs (scatter gates excluded by the caller). A replica that
    /// has no record (it did not succeed) is `None` in its task's list, so positions keep meaning replica indexes.
    public static func taskOutputs(_ records: [RunRecord]) -> [String: JSONValue] {
        var byTask: [String: [RunRecord]] = [:]
        for record in records { byTask[record.taskID, default: []].append(record) }
        var outputs: [String: JSONValue] = [:]
        for (task, runs) in byTask {
            if runs.count == 1, runs[0].replicaPath.isEmpty {
                outputs[task] = runs[0].output
            } else {
                outputs[task] = nested(runs.map { ($0.replicaPath[...], $0.output) })
            }
        }
        return outputs
    }

    private static func nested(_ entries: [(path: ArraySlice<Int>, output: JSONValue)]) -> JSONValue {
        var children: [Int: [(path: ArraySlice<Int>, output: JSONValue)]] = [:]
        var leaves: [Int: JSONValue] = [:]
        for entry in entries {
            guard let first = entry.path.first else { continue }
            if entry.path.count == 1 { leaves[first] = entry.output } else { children[first, default: []].append((entry.path.dropFirst(), entry.output)) }
        }
        let count = (Array(leaves.keys) + Array(children.keys)).max().map { $0 + 1 } ?? 0
        return .array((0..<count).map { index in leaves[index] ?? children[index].map(nested) ?? .null })
    }
}
