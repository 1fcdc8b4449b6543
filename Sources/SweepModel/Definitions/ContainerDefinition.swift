import SweepJSON

/// A registered container: where it runs (destination), what (image and tag) and how (cpu, memory, command,
/// environment). The workflow task may override command and environment; see `invocation(taskCommand:taskEnvironment:)`.
public struct ContainerDefinition: Sendable, Hashable {
    public var id: String
    public var destinationID: String
    public var imageName: String
    public var imageTag: String
    public var cpu: Double?
    /// Megabytes.
    public var memory: Int?
    public var command: [String]?
    public var environment: [EnvironmentVariable]?
    public var definition: JSONValue

    public init(json: JSONValue) throws(ValidationError) {
        let reader = try FieldReader(json, at: .root, what: "a container definition")
        id = try reader.requiredIdentifier("id")
        destinationID = try reader.requiredIdentifier("destination_id")
        imageName = try reader.requiredString("image_name")
        imageTag = try reader.requiredString("image_tag")
        // SWEEP's schema says `cpu`, its prose `cpu_units`: accept both (`cpu` wins), and check each one given.
        var cpu: Double? = nil
        for key in ["cpu_units", "cpu"] {
            guard let value = try reader.number(key) else { continue }
            guard value > 0 && value <= 1_024 else {
                throw ValidationError(.root / key, .outOfRange, "\(key) must be positive (at most 1024)")
            }
            cpu = value
        }
        self.cpu = cpu
        memory = try reader.integer("memory", in: 1...1_048_576)
        command = try reader.stringList("command", code: .invalidCommand)
        if let value = reader.value("environment") {
            environment = try Self.environment(value, at: .root / "environment")
        }
        definition = json
    }

    /// Accepts both `{"NAME": "value"}` (like function definitions) and SWEEP's `[{"name", "value"}]`.
    private static func environment(_ value: JSONValue, at pointer: JSONPointer) throws(ValidationError) -> [EnvironmentVariable] {
        if case .object(let object) = value {
            var variables: [EnvironmentVariable] = []
            for name in object.keys.sorted() {
                guard case .string(let text) = object[name]!, EnvironmentVariable.isValidName(name) else {
                    throw ValidationError(pointer / name, .invalidEnvironment, "environment variable \(name) must have a string value and a name without '='")
                }
                variables.append(EnvironmentVariable(name: name, value: text))
            }
            return variables
        }
        switch EnvironmentVariable.list(from: value) {
        case .success(let variables): return variables
        case .failure(let error):
            throw ValidationError(error.index.map { pointer / $0 } ?? pointer, .invalidEnvironment, "environment \(error.message)")
        }
    }

    /// What actually runs. SWEEP precedence: the workflow task's command replaces the definition's; environments
    /// layer, definition first, then the task (a task variable wins over a definition variable of the same name).
    public func invocation(taskCommand: [String]?, taskEnvironment: [EnvironmentVariable]?) -> (command: [String]?, environment: [EnvironmentVariable]) {
        (taskCommand ?? command, EnvironmentVariable.merged(environment ?? [], taskEnvironment ?? []))
    }
}
