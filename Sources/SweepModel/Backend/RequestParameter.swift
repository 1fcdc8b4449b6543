import SweepJSON

/// One declared parameter of a backend workflow's request (`request.url_params`, `body`, `form`) or one field of a
/// response item (API.md "Backend workflows"): `{"name", "label"?, "desc"?, "type", "options"?, "default"?,
/// "required"?, "regex"?}`. Checked whole at registration (the regex compiled, the default of the declared type),
/// so a call only applies it.
public struct RequestParameter: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case string, number, integer, boolean, `enum`, object, array
    }

    public static let maxParameters = 200

    public var name: String
    public var label: String?
    public var desc: String?
    public var kind: Kind
    /// The accepted values of an `enum` (strings, numbers or booleans).
    public var options: [JSONValue]
    public var defaultValue: JSONValue?
    public var required: Bool
    public var regex: SafeRegex?

    init(json: JSONValue, at pointer: JSONPointer) throws(ValidationError) {
        let reader = try FieldReader(json, at: pointer, what: "a parameter")
        name = try reader.requiredString("name")
        guard name.count <= 200, name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw ValidationError(pointer / "name", .invalidValue, "name must be at most 200 characters without control characters")
        }
        label = try reader.text("label", maxLength: 200, multiline: false)
        desc = try reader.text("desc", maxLength: 2000, multiline: true)
        let typeName = try reader.requiredString("type")
        guard let kind = Kind(rawValue: typeName) else {
            throw ValidationError(pointer / "type", .invalidValue,
                "type must be one of \(Kind.allCases.map(\.rawValue).joined(separator: ", ")), not '\(typeName)'")
        }
        self.kind = kind
        required = try reader.bool("required") ?? false
        if let value = reader.value("options") {
            guard case .array(let items) = value, !items.isEmpty, items.count <= 1000 else {
                throw ValidationError(pointer / "options", .invalidType, "options must be a list of 1 to 1000 values")
            }
            for (index, item) in items.enumerated() {
                switch item {
                case .string, .int, .double, .exactNumber, .bool: break
                default: throw ValidationError(pointer / "options" / index, .invalidType, "an option is a string, a number or a boolean, not \(item.typeName)")
                }
            }
            options = items
        } else {
            options = []
        }
        if kind == .enum && options.isEmpty {
            throw ValidationError(pointer / "options", .missingField, "an enum parameter needs its options")
        }
        if let source = try reader.string("regex") {
            guard kind == .string else { throw ValidationError(pointer / "regex", .invalidValue, "regex applies to string parameters only") }
            do {
                regex = try SafeRegex(source)
            } catch {
                throw ValidationError(pointer / "regex", .invalidValue, "regex is not a supported pattern: \(error.description)")
            }
        } else {
            regex = nil
        }
        defaultValue = nil
        if let value = reader.value("default") {
            // The default must itself pass, so a filled-in default never fails a call.
            defaultValue = try check(value, at: pointer / "default", coerce: false).mapError(pointer / "default")
        }
    }

    /// `value` as the declared type (query and form values are text: with `coerce`, "30" is the integer 30), or the
    /// reason it is not.
    public func check(_ value: JSONValue, at field: JSONPointer, coerce: Bool) -> Checked {
        let text = value.stringValue
        func refuse(_ message: String) -> Checked { .refused(ValidationError(field, "invalid_request", "\(name) \(message)")) }
        switch kind {
        case .string:
            guard case .string(let string) = value else { return refuse("must be a string, not \(value.typeName)") }
            if let regex, !regex.matches(string) { return refuse("does not match the pattern \(regex.pattern)") }
            return .accepted(value)
        case .integer:
            if let int = value.intValue, value.stringValue == nil { return .accepted(.int(int)) }
            if coerce, let text, let int = Int64(text.trimmingSpaces) { return .accepted(.int(int)) }
            return refuse("must be an integer")
        case .number:
            if value.doubleValue != nil { return .accepted(value) }
            // A query value with more digits than a Double holds keeps them, as a JSON body's number does.
            if coerce, let text, let exact = try? JSONParser.parse(String(text.trimmingSpaces)), case .exactNumber = exact {
                return .accepted(exact)
            }
            if coerce, let text, let number = Double(text.trimmingSpaces), number.isFinite {
                return .accepted(Int64(exactly: number).map(JSONValue.int) ?? .double(number))
            }
            return refuse("must be a number")
        case .boolean:
            if case .bool = value { return .accepted(value) }
            if coerce, let text {
                switch text.lowercased() {
                case "true", "1", "yes", "on": return .accepted(.bool(true))
                case "false", "0", "no", "off": return .accepted(.bool(false))
                default: break
                }
            }
            return refuse("must be true or false")
        case .enum:
            if options.contains(value) { return .accepted(value) }
            // A query value "3" selects the option 3.
            if coerce, let text, let option = options.first(where: { $0.optionText == text }) { return .accepted(option) }
            return refuse("must be one of \(options.map(\.optionText).joined(separator: ", "))")
        case .object:
            if case .object = value { return .accepted(value) }
            if coerce, let text, case .object(let object)? = try? JSONParser.parse(text) { return .accepted(.object(object)) }
            return refuse("must be an object")
        case .array:
            if case .array = value { return .accepted(value) }
            if coerce, let text, case .array(let items)? = try? JSONParser.parse(text) { return .accepted(.array(items)) }
            return refuse("must be a list")
        }
    }

    public enum Checked: Sendable {
        case accepted(JSONValue)
        case refused(ValidationError)

        func mapError(_ field: JSONPointer) throws(ValidationError) -> JSONValue {
            switch self {
            case .accepted(let value): return value
            case .refused(let error): throw ValidationError(field, .invalidValue, "the default is invalid: \(error.message)")
            }
        }
    }
}

extension JSONValue {
    /// An enum option as text (query strings and messages).
    var optionText: String {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .exactNumber(let n): n.canonicalText
        case .bool(let b): b ? "true" : "false"
        default: typeName
        }
    }
}

extension String {
    var trimmingSpaces: Substring {
        var slice = self[...]
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return slice
    }
}
