import SweepJSON
@testable import SweepModel

/// Small builders shared by the tests, so each test states only what it is about.
enum TestSupport {
    static func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

    static func workflow(_ text: String) throws -> Workflow { try Workflow(json: try json(text)) }

    /// Every executable the SWEEP examples name, as one user's catalog.
    static let exampleCatalog = DefinitionCatalog(
        functionIDs: ["my_lambda_function1", "my_lambda_function2", "my_lambda_function3", "my_lambda_function4",
                      "firstFunc", "mutFunc", "multFunc", "otherFunc", "lambda_func2", "prepFunc", "f"],
        containerIDs: ["cdef_hello_world", "c"])

    /// A task as SWEEP writes it; a container task when `container` is given.
    static func task(_ id: JSONValue, _ successors: [JSONValue] = [], container: String? = nil, properties: [String: JSONValue] = [:]) -> JSONValue {
        let configuration: JSONValue = container.map { ["container_def_id": .string($0), "priority": 1] } ?? ["function_def_id": "f", "priority": 1]
        return .object(["id": id, "execution_configurations": [configuration], "successors": .array(successors), "properties": .object(properties)])
    }

    static func workflowJSON(_ tasks: [JSONValue]) -> JSONValue {
        ["workflow_id": "w", "tasks": .array(tasks)]
    }

    /// SWEEP example 5a's shape: scatter, scatter again per replica, gather per outer replica, gather all.
    static func example5aWorkflow() throws -> Workflow {
        let start: [String: JSONValue] = ["position": "start"]
        return try Workflow(json: workflowJSON([
            task("1", ["2"], properties: start),
            task("2", ["3", "4"], properties: ["scatter": "predecessor_outputs['1']['groups']"]),
            task("3", ["4"], properties: ["follow": "2", "scatter": "predecessor_outputs['2']['items']"]),
            task("4", ["5"], properties: ["follow": "2"]),
            task("5"),
        ]))
    }

    /// Validation problems of a workflow document, decoding included (a decoding error is the only problem then).
    static func problems(_ json: JSONValue, catalog: DefinitionCatalog = exampleCatalog) -> [ValidationError] {
        do {
            return WorkflowValidator.problems(in: try Workflow(json: json), catalog: catalog)
        } catch {
            return [error]
        }
    }

    /// An executor that answers from a table per task id, and `{}` (as a container does) for other tasks.
    static func executor(_ outputs: [String: (LaunchSimulation.Invocation) -> JSONValue]) -> (LaunchSimulation.Invocation) throws -> JSONValue {
        { invocation in outputs[invocation.run.taskID]?(invocation) ?? .object([:]) }
    }

    static func predecessorOutput(_ input: RunInput?, _ task: String) -> JSONValue? {
        input?.input["predecessor_outputs"]?[task]
    }
}
