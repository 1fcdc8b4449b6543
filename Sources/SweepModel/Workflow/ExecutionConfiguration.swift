import SweepJSON

/// One executable a task may run as, with its priority among the task's alternatives.
public struct ExecutionConfiguration: Sendable, Hashable {
    public enum Executable: Sendable, Hashable {
        case function(id: String)
        case container(id: String)
        /// Run by a remote executor of `type` that pulls work (API.md v1.1 "Executors"): it calls `function` with `args`.
        case executor(type: String, function: String, args: [JSONValue])
    }

    public var executable: Executable
    /// SWEEP leaves the order open; Sweep tries the lowest number first (priority 1 before 2).
    public var priority: Int

    public init(executable: Executable, priority: Int = 1) {
        self.executable = executable
        self.priority = priority
    }

    public var isContainer: Bool { if case .container = executable { true } else { false } }

    init(json: JSONValue, at pointer: JSONPointer) throws(ValidationError) {
        let reader = try FieldReader(json, at: pointer, what: "an execution configuration")
        let function = try reader.string("function_def_id")
        let container = try reader.string("container_def_id")
        if reader.has("executor_type") {
            guard function == nil, container == nil else {
                throw ValidationError(pointer, .invalidExecutionConfiguration,
                    "an execution configuration names one of function_def_id, container_def_id and executor_type")
            }
            executable = try Self.executor(reader, at: pointer)
            priority = try reader.integer("priority", in: Int64(Int32.min)...Int64(Int32.max)) ?? 1
            return
        }
        switch (function, container) {
        case (let id?, nil):
            try Identifier.check(id, at: pointer / "function_def_id", name: "function_def_id")
            executable = .function(id: id)
        case (nil, let id?):
            try Identifier.check(id, at: pointer / "container_def_id", name: "container_def_id")
            executable = .container(id: id)
        case (.some, .some):
            throw ValidationError(pointer, .invalidExecutionConfiguration, "an execution configuration names either function_def_id or container_def_id, not both")
        case (nil, nil):
            throw ValidationError(pointer, .invalidExecutionConfiguration, "an execution configuration needs function_def_id, container_def_id or executor_type")
        }
        priority = try reader.integer("priority", in: Int64(Int32.min)...Int64(Int32.max)) ?? 1
    }

    /// `{"executor_type", "function", "args"?}`: the type and function are names executors register and match on.
    private static func executor(_ reader: FieldReader, at pointer: JSONPointer) throws(ValidationError) -> Executable {
        let type = try reader.requiredIdentifier("executor_type")
        let function = try reader.requiredString("function")
        try Identifier.check(function, at: pointer / "function", name: "function")
        var args: [JSONValue] = []
        if let value = reader.value("args") {
            guard case .array(let items) = value else {
                throw ValidationError(pointer / "args", .invalidType, "args must be a list, not \(value.typeName)")
            }
            guard items.count <= ModelLimits.maxExecutorArguments else {
                throw ValidationError(pointer / "args", .tooLarge, "args has more than \(ModelLimits.maxExecutorArguments) items")
            }
            args = items
        }
        return .executor(type: type, function: function, args: args)
    }
}
