import SweepJSON

/// One executable a task may run as, with its priority among the task's alternatives.
public struct ExecutionConfiguration: Sendable, Hashable {
    public enum Executable: Sendable, Hashable {
        case function(id: String)
        case container(id: String)
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
            throw ValidationError(pointer, .invalidExecutionConfiguration, "an execution configuration needs function_def_id or container_def_id")
        }
        priority = try reader.integer("priority", in: Int64(Int32.min)...Int64(Int32.max)) ?? 1
    }
}
