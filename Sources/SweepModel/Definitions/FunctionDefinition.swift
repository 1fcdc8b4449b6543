import SweepJSON

/// A registered function: where it runs (destination), what runs (function_name, the uploaded code) and how.
public struct FunctionDefinition: Sendable, Hashable {
    public static let defaultRuntime = "python3.6"
    public static let defaultMemory = 128
    /// The runtimes SWEEP lists; anything else is a typo that would only surface at launch.
    public static let runtimes: Set<String> = [
        "nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "java8", "java8.al2", "java11",
        "python2.7", "python3.6", "python3.7", "python3.8", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1",
        "dotnetcore3.1", "nodejs4.3-edge", "go1.x", "ruby2.5", "ruby2.7", "provided", "provided.al2",
    ]

    public var id: String
    public var destinationID: String
    public var functionName: String
    public var runtime: String
    /// Megabytes.
    public var memory: Int
    public var environmentVariables: [String: String]
    public var description: String?
    public var definition: JSONValue

    public init(json: JSONValue) throws(ValidationError) {
        let reader = try FieldReader(json, at: .root, what: "a function definition")
        id = try reader.requiredIdentifier("id")
        destinationID = try reader.requiredIdentifier("destination_id")
        functionName = try reader.requiredString("function_name")
        // The name becomes part of a URL (http destinations) and a module path (local): keep it to a safe alphabet.
        try Identifier.check(functionName, at: .root / "function_name", name: "function_name")
        runtime = try reader.string("runtime") ?? Self.defaultRuntime
        guard Self.runtimes.contains(runtime) else {
            throw ValidationError(.root / "runtime", .invalidValue, "runtime \(runtime) is not one of the supported runtimes")
        }
        memory = try reader.integer("memory", in: 64...10_240) ?? Self.defaultMemory
        // SWEEP: "the value must be a multiple of 64 MB".
        guard memory % 64 == 0 else {
            throw ValidationError(.root / "memory", .invalidValue, "memory must be a multiple of 64 MB, got \(memory)")
        }
        var variables: [String: String] = [:]
        if let value = reader.value("environment_variables") {
            let variablesReader = try FieldReader(value, at: .root / "environment_variables", what: "environment_variables")
            for (name, item) in variablesReader.object {
                guard case .string(let text) = item else {
                    throw ValidationError(.root / "environment_variables" / name, .invalidType, "environment variable \(name) must be a string, not \(item.typeName)")
                }
                guard EnvironmentVariable.isValidName(name) else {
                    throw ValidationError(.root / "environment_variables" / name, .invalidValue, "environment variable names must be non-empty and contain no '='")
                }
                variables[name] = text
            }
        }
        environmentVariables = variables
        description = try reader.string("description")
        definition = json
    }
}
