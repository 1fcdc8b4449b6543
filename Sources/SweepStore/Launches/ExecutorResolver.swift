import Postgres
import SweepJSON
import SweepModel

/// Resolves each task's execution configurations, in priority order (lower number first), to concrete executor
/// alternatives when a launch is created, so a launch in flight never changes when definitions are edited.
///
/// An alternative is one of:
/// `{"kind": "http", "url", "function_id"}`, `{"kind": "local_function", "function_id", "runtime", "function_name",
/// "code_sha256", "environment"}`, `{"kind": "process", "container_id", "image_name", "image_tag", "cpu", "memory",
/// "command", "environment"}` (run with podman; the kind keeps its first name for launches already stored),
/// `{"kind": "executor", "executor_type", "function", "args", "priority"}` (pulled by a remote executor), or
/// `{"kind": "unavailable", "reason"}` (AWS/Azure destinations, or a definition deleted since registration).
public struct ExecutorResolver {
    let tx: TenantTransaction

    public init(_ tx: TenantTransaction) {
        self.tx = tx
    }

    public func resolve(_ workflow: Workflow) throws -> JSONValue {
        var functions: [String: (FunctionDefinition, String?)] = [:]
        for row in try tx.connection.query("SELECT definition, code_sha256 FROM functions WHERE user_id = \(tx.userID)") {
            if let function = try? FunctionDefinition(json: try row.decode(JSONValue.self, column: "definition")) {
                functions[function.id] = (function, try row.decode(String?.self, column: "code_sha256"))
            }
        }
        var containers: [String: ContainerDefinition] = [:]
        for row in try tx.connection.query("SELECT definition FROM containers WHERE user_id = \(tx.userID)") {
            if let container = try? ContainerDefinition(json: try row.decode(JSONValue.self, column: "definition")) {
                containers[container.id] = container
            }
        }
        var destinations: [String: Destination] = [:]
        for row in try tx.connection.query("SELECT definition, credentials FROM destinations WHERE user_id = \(tx.userID)") {
            if let destination = try? Destination(json: try row.decode(JSONValue.self, column: "definition")) {
                destinations[destination.id] = destination
            }
        }

        var byTask: [String: JSONValue] = [:]
        for task in workflow.tasks {
            byTask[task.id] = .array(task.executionConfigurationsByPriority.map { configuration in
                switch configuration.executable {
                case .function(let id):
                    guard let (function, sha) = functions[id] else { return unavailable("function '\(id)' is no longer registered") }
                    guard let destination = destinations[function.destinationID] else {
                        return unavailable("destination '\(function.destinationID)' of function '\(id)' is not registered")
                    }
                    switch destination.cloudProvider {
                    case .http:
                        return ["kind": "http", "function_id": .string(id), "url": .string(destination.functionURL(function.functionName) ?? "")]
                    case .local:
                        return [
                            "kind": "local_function", "function_id": .string(id), "function_name": .string(function.functionName),
                            "runtime": .string(function.runtime), "code_sha256": sha.map(JSONValue.string) ?? .null,
                            "environment": .object(function.environmentVariables.mapValues(JSONValue.string)),
                        ]
                    default:
                        return unavailable("\(destination.cloudProvider.rawValue) destinations are stored but not executed by this installation")
                    }
                case .container(let id):
                    guard let container = containers[id] else { return unavailable("container '\(id)' is no longer registered") }
                    guard let destination = destinations[container.destinationID] else {
                        return unavailable("destination '\(container.destinationID)' of container '\(id)' is not registered")
                    }
                    guard destination.cloudProvider == .local else {
                        return unavailable("containers run on local destinations only, not \(destination.cloudProvider.rawValue)")
                    }
                    return [
                        "kind": "process", "container_id": .string(id), "image_name": .string(container.imageName),
                        "image_tag": .string(container.imageTag), "cpu": container.cpu.map(JSONValue.double) ?? .null,
                        "memory": container.memory.map { .int(Int64($0)) } ?? .null,
                        "command": container.command.map { .array($0.map(JSONValue.string)) } ?? .null,
                        "environment": .array((container.environment ?? []).map(\.json)),
                    ]
                case .executor(let type, let function, let args):
                    // Pulled by a remote executor of `type` (migration 0017 derives the run's executor_type from the
                    // first alternative); a scheduler never claims it, and a later alternative is not tried.
                    return ["kind": "executor", "executor_type": .string(type), "function": .string(function), "args": .array(args),
                            "priority": .int(Int64(configuration.priority))]
                }
            })
        }
        return .object(byTask)
    }

    private func unavailable(_ reason: String) -> JSONValue {
        ["kind": "unavailable", "reason": .string(reason)]
    }
}
