import SweepExpression
import SweepJSON

/// A SWEEP workflow definition, decoded but not yet checked as a graph: see `WorkflowValidator` (registration)
/// and `Planner` (launch). Unknown top-level keys such as SWEEP's `providers` are tolerated and kept in `definition`.
public struct Workflow: Sendable, Hashable {
    public var id: String
    public var config: WorkflowConfig
    /// In posted order, so error pointers index them as the client wrote them.
    public var tasks: [WorkflowTask]
    /// The document as posted, for storing and showing back.
    public var definition: JSONValue
    /// The launch's output, computed from `task_outputs` when it succeeds (`WorkflowOutput`); nil: the sinks' outputs.
    public var output: Expression?
    /// Request schema, response items and interceptor of a backend workflow's `/call` (issue 15).
    public var backend: BackendDefinition = BackendDefinition()

    public init(id: String, config: WorkflowConfig = WorkflowConfig(), tasks: [WorkflowTask], definition: JSONValue = .null, output: Expression? = nil) {
        self.id = id
        self.config = config
        self.tasks = tasks
        self.definition = definition
        self.output = output
    }

    /// Decodes the shape of the document; the first problem is thrown with a pointer to it.
    public init(json: JSONValue) throws(ValidationError) {
        let reader = try FieldReader(json, at: .root, what: "a workflow definition")
        id = try reader.requiredIdentifier("workflow_id")
        config = try reader.value("config").map { value throws(ValidationError) in try WorkflowConfig(json: value, at: .root / "config") } ?? WorkflowConfig()
        let value = try reader.required("tasks")
        guard case .array(let items) = value else {
            throw ValidationError(.root / "tasks", .invalidType, "tasks must be a list, not \(value.typeName)")
        }
        guard !items.isEmpty else {
            throw ValidationError(.root / "tasks", .missingStartTask, "a workflow needs at least one task")
        }
        guard items.count <= ModelLimits.maxTasks else {
            throw ValidationError(.root / "tasks", .tooManyTasks, "a workflow has at most \(ModelLimits.maxTasks) tasks, this one has \(items.count)")
        }
        var tasks: [WorkflowTask] = []
        for (index, item) in items.enumerated() {
            tasks.append(try WorkflowTask(json: item, at: .root / "tasks" / index))
        }
        self.tasks = tasks
        if let value = reader.value("output") {
            guard case .string(let source) = value else {
                throw ValidationError(.root / "output", .invalidType, "output must be an expression string over task_outputs, not \(value.typeName)")
            }
            output = try WorkflowOutput.parse(source, at: .root / "output")
        }
        backend = try BackendDefinition(reader)
        definition = json
    }

    /// Decodes and validates in one step, as registration does: the first problem is thrown.
    public static func registering(_ json: JSONValue, catalog: DefinitionCatalog) throws(ValidationError) -> Workflow {
        let workflow = try Workflow(json: json)
        if let problem = WorkflowValidator.problems(in: workflow, catalog: catalog).first { throw problem }
        // Valid, but refused while the run transitions it needs are missing (the launch would silently ignore it).
        if let problem = RuntimeSupport.problems(in: workflow).first { throw problem }
        return workflow
    }

    public func task(_ id: String) -> WorkflowTask? { tasks.first { $0.id == id } }
}
