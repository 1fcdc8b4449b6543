import SweepJSON

/// One item of a backend workflow's composed answer (`response: [{"name", "label"?, "desc"?, "fields": [P…]}]`):
/// tasks append objects to it through the run API, each checked against `fields` as it arrives.
public struct ResponseItem: Sendable, Hashable {
    public var name: String
    public var label: String?
    public var desc: String?
    public var fields: [RequestParameter]

    init(json: JSONValue, at pointer: JSONPointer) throws(ValidationError) {
        let reader = try FieldReader(json, at: pointer, what: "a response item")
        name = try reader.requiredString("name")
        guard name.count <= 200, name.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && $0 != "/" }) else {
            throw ValidationError(pointer / "name", .invalidValue, "name must be at most 200 characters without spaces, slashes or control characters")
        }
        label = try reader.text("label", maxLength: 200, multiline: false)
        desc = try reader.text("desc", maxLength: 2000, multiline: true)
        fields = try RequestSchema.parameters(reader, "fields")
    }

    /// Checks one object a task sends (`/data/<index>` points at it); declared fields are required only when marked
    /// so, defaults are filled in, and undeclared fields pass through.
    public func check(_ object: JSONValue, at pointer: JSONPointer) throws(ValidationError) -> JSONValue {
        guard case .object(let values) = object else {
            throw ValidationError(pointer, "invalid_response_data", "each object of \(name) must be an object, not \(object.typeName)")
        }
        do {
            var result = values
            for field in fields {
                let at = pointer / field.name
                guard let value = values[field.name], !value.isNull else {
                    if let defaultValue = field.defaultValue { result[field.name] = defaultValue }
                    else if field.required { throw ValidationError(at, "invalid_response_data", "\(field.name) is required in \(name)") }
                    continue
                }
                switch field.check(value, at: at, coerce: false) {
                case .accepted(let checked): result[field.name] = checked
                case .refused(let error): throw ValidationError(at, "invalid_response_data", error.message)
                }
            }
            return .object(result)
        }
    }
}
