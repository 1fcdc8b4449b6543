import SweepJSON

/// Reads the fields of one JSON object, turning every wrong type or missing field into a `ValidationError` that
/// points at it. Hand-written instead of Codable because Codable's errors cannot name `/tasks/2/properties/delay`.
/// A JSON `null` counts as absent: clients serialize unset optionals either way.
struct FieldReader {
    let object: [String: JSONValue]
    let pointer: JSONPointer

    init(_ value: JSONValue, at pointer: JSONPointer, what: String) throws(ValidationError) {
        guard case .object(let object) = value else {
            throw ValidationError(pointer, .invalidType, "\(what) must be an object, not \(value.typeName)")
        }
        self.object = object
        self.pointer = pointer
    }

    func value(_ key: String) -> JSONValue? {
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    func has(_ key: String) -> Bool { value(key) != nil }

    func required(_ key: String) throws(ValidationError) -> JSONValue {
        guard let value = value(key) else { throw ValidationError(pointer / key, .missingField, "\(key) is required") }
        return value
    }

    func string(_ key: String) throws(ValidationError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let string) = value else {
            throw ValidationError(pointer / key, .invalidType, "\(key) must be a string, not \(value.typeName)")
        }
        return string
    }

    func requiredString(_ key: String) throws(ValidationError) -> String {
        guard let string = try string(key) else { throw ValidationError(pointer / key, .missingField, "\(key) is required") }
        guard !string.isEmpty else { throw ValidationError(pointer / key, .invalidValue, "\(key) must not be empty") }
        return string
    }

    /// A definition id used in URLs and as a database key.
    func requiredIdentifier(_ key: String) throws(ValidationError) -> String {
        let id = try requiredString(key)
        try Identifier.check(id, at: pointer / key, name: key)
        return id
    }

    func integer(_ key: String, in range: ClosedRange<Int64>) throws(ValidationError) -> Int? {
        guard let value = value(key) else { return nil }
        return try FieldReader.integer(value, at: pointer / key, name: key, in: range)
    }

    static func integer(_ value: JSONValue, at pointer: JSONPointer, name: String, in range: ClosedRange<Int64>) throws(ValidationError) -> Int {
        guard let int = value.intValue else {
            if case .exactNumber(let n) = value, n.isInteger {
                throw ValidationError(pointer, .outOfRange, "\(name) must be between \(range.lowerBound) and \(range.upperBound), got \(n.canonicalText)")
            }
            throw ValidationError(pointer, .invalidType, "\(name) must be an integer, not \(value.typeName == "number" ? "a fraction" : value.typeName)")
        }
        guard range.contains(int) else {
            throw ValidationError(pointer, .outOfRange, "\(name) must be between \(range.lowerBound) and \(range.upperBound), got \(int)")
        }
        return Int(int)
    }

    func number(_ key: String) throws(ValidationError) -> Double? {
        guard let value = value(key) else { return nil }
        guard let number = value.doubleValue else {
            throw ValidationError(pointer / key, .invalidType, "\(key) must be a number, not \(value.typeName)")
        }
        return number
    }

    func stringList(_ key: String, code: ValidationError.Code = .invalidType) throws(ValidationError) -> [String]? {
        guard let value = value(key) else { return nil }
        return try FieldReader.stringList(value, at: pointer / key, name: key, code: code)
    }

    static func stringList(_ value: JSONValue, at pointer: JSONPointer, name: String, code: ValidationError.Code) throws(ValidationError) -> [String] {
        guard case .array(let items) = value else {
            throw ValidationError(pointer, code, "\(name) must be a list of strings, not \(value.typeName)")
        }
        var strings: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let string) = item else {
                throw ValidationError(pointer / index, code, "\(name) must be a list of strings; item \(index) is \(item.typeName)")
            }
            strings.append(string)
        }
        return strings
    }

    /// SWEEP task ids are written both as `"2"` and `2`; both name the same task, so ids are normalized to strings.
    static func taskID(_ value: JSONValue, at pointer: JSONPointer, name: String) throws(ValidationError) -> String {
        switch value {
        case .string(let string):
            guard !string.isEmpty, string.count <= ModelLimits.maxIdentifierLength else {
                throw ValidationError(pointer, .invalidIdentifier, "\(name) must be 1 to \(ModelLimits.maxIdentifierLength) characters")
            }
            guard string.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                throw ValidationError(pointer, .invalidIdentifier, "\(name) must not contain control characters")
            }
            return string
        case .int(let int):
            return String(int)
        case .double(let double):
            guard let int = value.intValue else {
                throw ValidationError(pointer, .invalidIdentifier, "\(name) must be a string or an integer, not \(double)")
            }
            return String(int)
        default:
            throw ValidationError(pointer, .invalidType, "\(name) must be a string or an integer, not \(value.typeName)")
        }
    }
}
