import SweepJSON

/// One `{"name": …, "value": …}` pair, the shape SWEEP uses for container environments.
public struct EnvironmentVariable: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public var json: JSONValue { .object(["name": .string(name), "value": .string(value)]) }

    /// Reads a list of `{name, value}` objects. Scalar values are accepted and printed as Python's `str()` would,
    /// because a predecessor computing `{"name": "IND", "value": 1}` clearly means "1".
    static func list(from value: JSONValue) -> Result<[EnvironmentVariable], ListError> {
        guard case .array(let items) = value else { return .failure(ListError(index: nil, message: "must be a list of {\"name\", \"value\"} objects, not \(value.typeName)")) }
        guard items.count <= ModelLimits.maxEnvironmentVariables else {
            return .failure(ListError(index: nil, message: "has \(items.count) variables, more than the limit of \(ModelLimits.maxEnvironmentVariables)"))
        }
        var variables: [EnvironmentVariable] = []
        for (index, item) in items.enumerated() {
            guard case .object(let object) = item else {
                return .failure(ListError(index: index, message: "item \(index) must be an object with name and value, not \(item.typeName)"))
            }
            guard case .string(let name)? = object["name"], isValidName(name) else {
                return .failure(ListError(index: index, message: "item \(index) needs a \"name\" that is a non-empty string without '=' or NUL"))
            }
            guard let raw = object["value"], let text = scalarText(raw), !text.utf8.contains(0) else {
                return .failure(ListError(index: index, message: "item \(index) (\(name)) needs a \"value\" that is a string"))
            }
            variables.append(EnvironmentVariable(name: name, value: text))
        }
        return .success(variables)
    }

    struct ListError: Error {
        var index: Int?
        var message: String
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.utf8.contains(UInt8(ascii: "=")) && !name.utf8.contains(0)
    }

    private static func scalarText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s): s
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .exactNumber(let n): n.canonicalText
        case .bool(let b): b ? "True" : "False"
        default: nil
        }
    }

    /// Later entries override earlier ones with the same name, keeping the first position: the order in which
    /// SWEEP layers environments (container definition, then workflow task).
    public static func merged(_ layers: [EnvironmentVariable]...) -> [EnvironmentVariable] {
        var result: [EnvironmentVariable] = []
        var position: [String: Int] = [:]
        for layer in layers {
            for variable in layer {
                if let index = position[variable.name] {
                    result[index] = variable
                } else {
                    position[variable.name] = result.count
                    result.append(variable)
                }
            }
        }
        return result
    }
}
