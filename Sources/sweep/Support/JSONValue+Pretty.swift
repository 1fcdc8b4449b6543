import SweepJSON

extension JSONValue {
    /// Indented JSON with sorted keys, for `--json` and the config file.
    var prettyString: String {
        var out = ""
        writePretty(to: &out, indent: 0)
        return out
    }

    private func writePretty(to out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closing = String(repeating: "  ", count: indent)
        switch self {
        case .array(let elements) where !elements.isEmpty:
            out += "[\n"
            for (index, element) in elements.enumerated() {
                out += pad
                element.writePretty(to: &out, indent: indent + 1)
                out += index == elements.count - 1 ? "\n" : ",\n"
            }
            out += closing + "]"
        case .object(let members) where !members.isEmpty:
            out += "{\n"
            let keys = members.keys.sorted()
            for (index, key) in keys.enumerated() {
                out += pad
                JSONValue.writeEscaped(key, to: &out)
                out += ": "
                members[key]!.writePretty(to: &out, indent: indent + 1)
                out += index == keys.count - 1 ? "\n" : ",\n"
            }
            out += closing + "}"
        default:
            out += jsonString
        }
    }

    /// A value for a table cell: strings bare, null as "-", anything else as compact JSON.
    var cellText: String {
        switch self {
        case .null: "-"
        case .string(let text): text
        default: jsonString
        }
    }
}
