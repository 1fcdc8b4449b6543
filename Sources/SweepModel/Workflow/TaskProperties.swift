import SweepExpression
import SweepJSON

/// The static, per-workflow properties of a task (SWEEP "task properties"). Expressions are parsed at decoding, so a
/// syntax error is a registration error with its position, never a launch-time surprise.
public struct TaskProperties: Sendable, Hashable {
    public var position: String?
    /// Seconds to wait once the task is otherwise ready.
    public var delay: Int
    public var staticInput: JSONValue?
    public var replication: Replication
    public var deployConditions: [Expression]
    public var follow: String?
    public var environment: EnvironmentProperty?
    public var command: CommandProperty?
    public var staticOutput: StaticOutputProperty?
    /// The v1.1 properties (retries, timeouts, transform_input, enabled, label, description).
    public var semantics: TaskSemantics
    /// `input_files`, `artifacts`, `output_files` (API.md "Files").
    public var files: TaskFiles = TaskFiles()

    public init(
        position: String? = nil, delay: Int = 0, staticInput: JSONValue? = nil, replication: Replication = .none,
        deployConditions: [Expression] = [], follow: String? = nil, environment: EnvironmentProperty? = nil,
        command: CommandProperty? = nil, staticOutput: StaticOutputProperty? = nil, semantics: TaskSemantics = TaskSemantics()
    ) {
        self.position = position
        self.delay = delay
        self.staticInput = staticInput
        self.replication = replication
        self.deployConditions = deployConditions
        self.follow = follow
        self.environment = environment
        self.command = command
        self.staticOutput = staticOutput
        self.semantics = semantics
    }

    public var isStart: Bool { position == "start" }

    init(json: JSONValue, at pointer: JSONPointer) throws(ValidationError) {
        let reader = try FieldReader(json, at: pointer, what: "properties")
        position = try reader.string("position")
        delay = try reader.integer("delay", in: 0...ModelLimits.maxDelaySeconds) ?? 0
        staticInput = reader.value("static_input")

        let multiplicity = try reader.integer("multiplicity", in: 0...ModelLimits.maxMultiplicity)
        var scatter: Expression?
        if let value = reader.value("scatter") {
            guard case .string(let source) = value else {
                throw ValidationError(pointer / "scatter", .invalidType, "scatter must be an expression string, not \(value.typeName)")
            }
            scatter = try Self.parse(source, at: pointer / "scatter", name: "scatter")
        }
        switch (multiplicity, scatter) {
        case (let n?, nil): replication = .multiplicity(n)
        case (nil, let expression?): replication = .scatter(expression)
        case (nil, nil): replication = .none
        case (.some, .some):
            throw ValidationError(pointer / "scatter", .conflictingReplication, "a task replicates by scatter or by multiplicity, not both")
        }

        var conditions: [Expression] = []
        if let value = reader.value("deploy_conditions") {
            guard case .array(let items) = value else {
                throw ValidationError(pointer / "deploy_conditions", .invalidType, "deploy_conditions must be a list of expression strings, not \(value.typeName)")
            }
            guard items.count <= ModelLimits.maxDeployConditions else {
                throw ValidationError(pointer / "deploy_conditions", .tooLarge, "at most \(ModelLimits.maxDeployConditions) deploy conditions")
            }
            for (index, item) in items.enumerated() {
                guard case .string(let source) = item else {
                    throw ValidationError(pointer / "deploy_conditions" / index, .invalidType, "each deploy condition must be an expression string, not \(item.typeName)")
                }
                conditions.append(try Self.parse(source, at: pointer / "deploy_conditions" / index, name: "deploy condition \(index)"))
            }
        }
        deployConditions = conditions

        follow = try reader.value("follow").map { value throws(ValidationError) in
            try FieldReader.taskID(value, at: pointer / "follow", name: "follow")
        }

        if let value = reader.value("environment") {
            if case .string(let source) = value {
                environment = .expression(try Self.parse(source, at: pointer / "environment", name: "environment"))
            } else {
                switch EnvironmentVariable.list(from: value) {
                case .success(let variables): environment = .variables(variables)
                case .failure(let error):
                    throw ValidationError(error.index.map { pointer / "environment" / $0 } ?? pointer / "environment", .invalidEnvironment,
                        "environment must be a list of {\"name\", \"value\"} strings or an expression string: it \(error.message)")
                }
            }
        }

        if case .string(let source)? = reader.value("command") {
            // A shell line ("ls -l") is the likely mistake here: say what a string command is, whatever went wrong.
            do {
                command = .expression(try Self.parse(source, at: pointer / "command", name: "command"))
            } catch {
                throw ValidationError(pointer / "command", .invalidCommand,
                    "a string command must be an expression giving a list of strings (SWEEP example 7), such as \"['echo', str(static_input['n'])]\": \(error.message)")
            }
        } else if let arguments = try reader.stringList("command", code: .invalidCommand) {
            guard arguments.count <= ModelLimits.maxCommandArguments else {
                throw ValidationError(pointer / "command", .tooLarge, "command has more than \(ModelLimits.maxCommandArguments) arguments")
            }
            command = .arguments(arguments)
        }

        if let value = reader.value("static_output") {
            if case .string(let source) = value {
                staticOutput = .expression(try Self.parse(source, at: pointer / "static_output", name: "static_output"))
            } else {
                staticOutput = .constant(value)
            }
        }
        semantics = try TaskSemantics(reader)
        files = try TaskFiles(reader)
    }

    static func parse(_ source: String, at pointer: JSONPointer, name: String, names: Set<String> = inputNames) throws(ValidationError) -> Expression {
        guard source.utf8.count <= ModelLimits.maxExpressionLength else {
            throw ValidationError(pointer, .tooLarge, "\(name) is longer than \(ModelLimits.maxExpressionLength) bytes")
        }
        let expression: Expression
        do {
            expression = try Expression(parsing: source)
        } catch {
            let position = error.position.map { " at position \($0)" } ?? ""
            throw ValidationError(pointer, .invalidExpression, "\(name) is not a valid expression: \(error.message)\(position) in \"\(source)\"")
        }
        // A misspelt name would otherwise only fail at launch, after the predecessors already ran.
        if let unknown = expression.referencedNames.subtracting(names).sorted().first {
            throw ValidationError(pointer, .unknownName,
                "\(name) reads \(unknown), but \(names == inputNames ? "a task's input only has" : "it can only read") \(names.sorted().joined(separator: ", ")) (in \"\(source)\")")
        }
        return expression
    }

    /// The names a dynamic property can read: the keys of a task's input (`scatter_element` is there for replicas of a
    /// scatter whose expression is not a plain path, `launch_input` when the launch has an input).
    static let inputNames: Set<String> = ["predecessor_outputs", "static_input", "launch_input", "scatter_element"]
}
