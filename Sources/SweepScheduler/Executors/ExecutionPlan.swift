import SweepJSON
import SweepModel

/// What a claimed run executes: the task's executor alternatives in priority order (resolved at launch by
/// `ExecutorResolver`), and the run's evaluated command and environment, and the task's own timeout.
struct ExecutionPlan: Sendable {
    enum Alternative: Sendable {
        case http(url: String)
        case localFunction(functionID: String, runtime: String, environment: [String: String])
        case container(ContainerTarget)
        case unavailable(reason: String)
    }

    var alternatives: [Alternative]
    var command: [String]?
    var environment: [EnvironmentVariable]?
    /// The task's `max_runtime`, when it sets one (else the launch's `config.max_task_runtime` applies).
    var runtimeSeconds: Int?
    /// Input files, artifacts and output patterns (`exec.files`), when the task declares any.
    var files: RunFiles?

    init(_ json: JSONValue) {
        alternatives = (json["alternatives"]?.arrayValue ?? []).map(ExecutionPlan.alternative)
        command = json["command"]?.arrayValue?.compactMap(\.stringValue)
        environment = json["environment"]?.arrayValue.map(ExecutionPlan.environment)
        runtimeSeconds = json["runtime_seconds"]?.intValue.map(Int.init)
        files = RunFiles(json: json["files"])
    }

    static func alternative(_ json: JSONValue) -> Alternative {
        switch json["kind"]?.stringValue {
        case "http":
            return .http(url: json["url"]?.stringValue ?? "")
        case "local_function":
            var environment: [String: String] = [:]
            for (key, value) in json["environment"]?.objectValue ?? [:] { environment[key] = value.stringValue }
            return .localFunction(functionID: json["function_id"]?.stringValue ?? "", runtime: json["runtime"]?.stringValue ?? "python3", environment: environment)
        case "process":
            return .container(ContainerTarget(
                containerID: json["container_id"]?.stringValue ?? "", imageName: json["image_name"]?.stringValue,
                imageTag: json["image_tag"]?.stringValue, cpu: json["cpu"]?.doubleValue, memoryMB: json["memory"]?.doubleValue.map { Int($0) },
                command: json["command"]?.arrayValue?.compactMap(\.stringValue), environment: environment(json["environment"]?.arrayValue ?? [])))
        default:
            return .unavailable(reason: json["reason"]?.stringValue ?? "no executor for this task")
        }
    }

    static func environment(_ list: [JSONValue]) -> [EnvironmentVariable] {
        list.compactMap { entry in
            guard let name = entry["name"]?.stringValue, let value = entry["value"]?.stringValue else { return nil }
            return EnvironmentVariable(name: name, value: value)
        }
    }
}

/// A container definition as resolved at launch: its image (absent in launches made before images existed), its
/// resources, and its own command and environment (the task's come from the plan).
struct ContainerTarget: Sendable {
    var containerID: String
    var imageName: String?
    var imageTag: String?
    var cpu: Double?
    var memoryMB: Int?
    var command: [String]?
    var environment: [EnvironmentVariable]
}
