import SweepExpression
import SweepJSON

/// `transform_input` (pyflow): an expression over the standard task input whose value becomes the run's input, so a
/// function that expects `["Hello", " ", "DLROW"]` needs no adapter. It sees the input as `input` and its keys by
/// name (`predecessor_outputs`, `static_input`, `launch_input`, `scatter_element`), and `param` as pyflow's name
/// for `static_input`.
public enum InputTransform {
    static let names: Set<String> = TaskProperties.inputNames.union(["input", "param"])

    static func parse(_ source: String, at pointer: JSONPointer) throws(ValidationError) -> Expression {
        try TaskProperties.parse(source, at: pointer, name: "transform_input", names: names)
    }

    /// The run's input after the transform; the standard input when the task has none.
    public static func apply(_ expression: Expression?, to input: [String: JSONValue], taskID: String) -> Result<JSONValue, TaskRunError> {
        guard let expression else { return .success(.object(input)) }
        var bindings = input
        bindings["input"] = .object(input)
        bindings["param"] = input["static_input"] ?? .object([:])
        do {
            let value = try expression.evaluate(bindings)
            // The input is stored as jsonb, which cannot hold NUL ('\x00' is a valid literal): refuse it here, as a
            // failed run, rather than fail the statement that records every run of the batch.
            if let pointer = value.pointerToNUL {
                return .failure(TaskRunError(code: .transformInputFailed,
                    message: "transform_input of task \(taskID) gave a string with a NUL character (at \(pointer.isEmpty ? "/" : pointer)), which cannot be stored"))
            }
            return .success(value)
        } catch {
            return .failure(TaskRunError(code: .transformInputFailed,
                message: "transform_input of task \(taskID) could not be evaluated: \(error.description) in \(expression.source)"))
        }
    }
}
