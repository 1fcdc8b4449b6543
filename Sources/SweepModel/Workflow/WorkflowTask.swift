import SweepJSON

/// One node of a workflow's DAG as posted. `id` and `successors` are normalized to strings (SWEEP writes both
/// `2` and `"2"`).
public struct WorkflowTask: Sendable, Hashable {
    public var id: String
    public var executionConfigurations: [ExecutionConfiguration]
    public var successors: [String]
    public var properties: TaskProperties
    /// An executable (with execution configurations), or a timer, signal or child workflow (with none).
    public var kind: TaskKind

    public init(id: String, executionConfigurations: [ExecutionConfiguration], successors: [String] = [], properties: TaskProperties = TaskProperties(),
                kind: TaskKind = .executable) {
        self.id = id
        self.executionConfigurations = executionConfigurations
        self.successors = successors
        self.properties = properties
        self.kind = kind
    }

    /// A container task gets `environment` and `command`; SWEEP only defines them when every alternative is a container.
    public var isContainerTask: Bool {
        !executionConfigurations.isEmpty && executionConfigurations.allSatisfy(\.isContainer)
    }

    /// The alternatives in the order they should be tried.
    public var executionConfigurationsByPriority: [ExecutionConfiguration] {
        executionConfigurations.enumerated()
            .sorted { ($0.element.priority, $0.offset) < ($1.element.priority, $1.offset) }
            .map(\.element)
    }

    init(json: JSONValue, at pointer: JSONPointer) throws(ValidationError) {
        let reader = try FieldReader(json, at: pointer, what: "a task")
        id = try FieldReader.taskID(try reader.required("id"), at: pointer / "id", name: "id")

        if let type = try reader.string("type") {
            kind = try TaskKind(type: type, at: pointer / "type", properties: reader.value("properties"), propertiesPointer: pointer / "properties")
            // API.md: these kinds execute nothing, so an executable beside them would be ignored.
            if let value = reader.value("execution_configurations"), value != .array([]) {
                throw ValidationError(pointer / "execution_configurations", .invalidTaskKind,
                    "a \(type) task executes nothing, so it has no execution_configurations")
            }
            executionConfigurations = []
        } else {
            kind = .executable
            executionConfigurations = try Self.configurations(try reader.required("execution_configurations"), at: pointer)
        }

        var successors: [String] = []
        if let value = reader.value("successors") {
            guard case .array(let items) = value else {
                throw ValidationError(pointer / "successors", .invalidType, "successors must be a list of task ids, not \(value.typeName)")
            }
            for (index, item) in items.enumerated() {
                successors.append(try FieldReader.taskID(item, at: pointer / "successors" / index, name: "successor"))
            }
        }
        self.successors = successors

        if let value = reader.value("properties") {
            properties = try TaskProperties(json: value, at: pointer / "properties")
        } else {
            properties = TaskProperties()
        }
    }

    private static func configurations(_ configurations: JSONValue, at pointer: JSONPointer) throws(ValidationError) -> [ExecutionConfiguration] {
        guard case .array(let items) = configurations else {
            throw ValidationError(pointer / "execution_configurations", .invalidType, "execution_configurations must be a list, not \(configurations.typeName)")
        }
        guard !items.isEmpty else {
            throw ValidationError(pointer / "execution_configurations", .invalidExecutionConfiguration, "a task needs at least one execution configuration")
        }
        guard items.count <= ModelLimits.maxExecutionConfigurations else {
            throw ValidationError(pointer / "execution_configurations", .tooLarge, "at most \(ModelLimits.maxExecutionConfigurations) execution configurations")
        }
        var parsed: [ExecutionConfiguration] = []
        for (index, item) in items.enumerated() {
            parsed.append(try ExecutionConfiguration(json: item, at: pointer / "execution_configurations" / index))
        }
        return parsed
    }
}
