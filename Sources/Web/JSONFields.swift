import SweepJSON

/// Typed access to fields of a JSON request body; a wrong type or missing field is a 400 naming the field.
public struct JSONFields: Sendable {
    public let object: [String: JSONValue]
    public let pointerPrefix: String

    public init(_ object: [String: JSONValue], pointerPrefix: String = "") {
        self.object = object
        self.pointerPrefix = pointerPrefix
    }

    func pointer(_ key: String) -> String { pointerPrefix + "/" + key }

    public func requiredString(_ key: String) throws(APIError) -> String {
        guard let value = object[key], !value.isNull else {
            throw APIError.badRequest("missing_field", "'\(key)' is required", field: pointer(key))
        }
        guard let string = value.stringValue else {
            throw APIError.badRequest("invalid_type", "'\(key)' must be a string, got \(value.typeName)", field: pointer(key))
        }
        return string
    }

    public func optionalString(_ key: String) throws(APIError) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let string = value.stringValue else {
            throw APIError.badRequest("invalid_type", "'\(key)' must be a string, got \(value.typeName)", field: pointer(key))
        }
        return string
    }

    public func optionalBool(_ key: String) throws(APIError) -> Bool? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let bool = value.boolValue else {
            throw APIError.badRequest("invalid_type", "'\(key)' must be a boolean, got \(value.typeName)", field: pointer(key))
        }
        return bool
    }

    public func optionalInt(_ key: String, in range: ClosedRange<Int64>) throws(APIError) -> Int64? {
        guard let value = object[key], !value.isNull else { return nil }
        // JSON does not tell 1 from 1.0; JSON Schema counts both as integers.
        guard let int = value.intValue else {
            throw APIError.badRequest("invalid_type", "'\(key)' must be an integer, got \(value.typeName)", field: pointer(key))
        }
        guard range.contains(int) else {
            throw APIError.badRequest("out_of_range", "'\(key)' must be between \(range.lowerBound) and \(range.upperBound)", field: pointer(key))
        }
        return int
    }
}
