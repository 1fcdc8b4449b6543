/// Why a posted definition was refused: where (a JSON pointer into the posted document, indexing arrays as posted),
/// a stable snake_case code clients can match on, and a sentence for people.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var code: Code
    public var message: String

    public init(field: String, code: Code, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }

    init(_ pointer: JSONPointer, _ code: Code, _ message: String) {
        self.init(field: pointer.description, code: code, message: message)
    }

    public var description: String { "\(code.rawValue) at \(field.isEmpty ? "/" : field): \(message)" }

    /// Extensible like an enum that never breaks clients: new codes are new constants, old ones never change.
    public struct Code: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public var description: String { rawValue }

        // Shape of the document
        public static let invalidType: Code = "invalid_type"
        public static let missingField: Code = "missing_field"
        public static let invalidValue: Code = "invalid_value"
        public static let invalidIdentifier: Code = "invalid_identifier"
        public static let outOfRange: Code = "out_of_range"
        public static let tooLarge: Code = "too_large"
        public static let invalidExpression: Code = "invalid_expression"
        public static let unknownName: Code = "unknown_name"
        public static let invalidExecutionConfiguration: Code = "invalid_execution_configuration"
        public static let invalidEnvironment: Code = "invalid_environment"
        public static let invalidCommand: Code = "invalid_command"
        public static let conflictingReplication: Code = "conflicting_replication"
        /// The runs a launch would create exceed the replicas-per-launch limit (`RunBudget`).
        public static let tooManyRuns: Code = "too_many_runs"
        // Graph
        public static let tooManyTasks: Code = "too_many_tasks"
        public static let duplicateTaskID: Code = "duplicate_task_id"
        public static let ambiguousTaskID: Code = "ambiguous_task_id"
        public static let missingStartTask: Code = "missing_start_task"
        public static let multipleStartTasks: Code = "multiple_start_tasks"
        public static let unknownSuccessor: Code = "unknown_successor"
        public static let cycle: Code = "cycle"
        public static let unreachableTask: Code = "unreachable_task"
        public static let unknownFollowTarget: Code = "unknown_follow_target"
        public static let followNotReplicated: Code = "follow_not_replicated"
        public static let followNotAncestor: Code = "follow_not_ancestor"
        public static let containerOnlyProperty: Code = "container_only_property"
        // Cross-definition references
        public static let unknownFunction: Code = "unknown_function"
        public static let unknownContainer: Code = "unknown_container"
    }
}
