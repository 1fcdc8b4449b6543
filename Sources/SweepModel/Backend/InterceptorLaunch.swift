import SweepJSON

/// A backend workflow's interceptor, run as any task runs (DESIGN §1-2): a launch of its own whose only task is the
/// interceptor's execution configuration, with the call's `{"method","url_params","req_body","req_form"}` as launch
/// input and as the task's input (`transform_input: launch_input`). It is claimed like any run (a scheduler's HTTP,
/// bubblewrap or podman alternative, or an executor of its type), bounded by `max_runtime`, never retried (a
/// caller waits), and its launch is marked as an interceptor's so listings leave it out: the workflow's own launch
/// is made only once the interceptor accepted the request.
public enum InterceptorLaunch {
    /// The one task's id (and run name).
    public static let taskID = "interceptor"

    /// The file a container interceptor reads the request from, in its working directory (a container has no
    /// stdin: a local function reads the request there, an HTTP function in its body, an executor in `ti.input`).
    public static let requestFile = "request.json"

    /// The run's own `max_runtime` beyond the call's bound: the parked call's deadline (from the call's arrival)
    /// decides and cancels the launch; the run's limit is the backstop that stops a process nobody waits for any
    /// more (a call whose client hung up), and must not race the deadline to a different answer.
    public static let runtimeGraceSeconds = 5

    /// The definition the interceptor's launch snapshots: one task, run at most `timeoutSeconds` (+ the grace).
    public static func definition(workflowID: String, interceptor: ExecutionConfiguration, timeoutSeconds: Int, request: JSONValue) -> JSONValue {
        var configuration: [String: JSONValue] = ["priority": 1]
        switch interceptor.executable {
        case .function(let id): configuration["function_def_id"] = .string(id)
        case .container(let id): configuration["container_def_id"] = .string(id)
        case .executor(let type, let function, let args):
            configuration["executor_type"] = .string(type)
            configuration["function"] = .string(function)
            configuration["args"] = .array(args)
        }
        var properties: [String: JSONValue] = [
            "position": "start", "transform_input": "launch_input", "max_runtime": .int(Int64(timeoutSeconds + runtimeGraceSeconds)), "retries": 0,
            "description": .string("the interceptor of workflow \(workflowID)"),
        ]
        let text = String(decoding: request.jsonBytes, as: UTF8.self)
        if interceptor.isContainer, text.utf8.count <= TaskFiles.maxInputFileBytes {
            properties["input_files"] = [["name": .string(requestFile), "contents": .string(text)]]
        }
        return [
            "workflow_id": .string(workflowID),
            "tasks": [["id": .string(taskID), "execution_configurations": [.object(configuration)], "successors": [], "properties": .object(properties)]],
        ]
    }

    /// The request after the interceptor: each of `method`, `url_params`, `req_body` and `req_form` the answer
    /// names replaces the request's; those it leaves out stay as sent (so `{}`, a container's empty output,
    /// accepts the request unchanged). Keys of any other name are ignored (`sweep`, `static_output`).
    public static func merged(request: JSONValue, answer: JSONValue) -> JSONValue {
        guard case .object(var object) = request, case .object(let changes) = answer else { return request }
        for key in ["method", "url_params", "req_body", "req_form"] {
            if let value = changes[key] { object[key] = value }
        }
        return .object(object)
    }
}
