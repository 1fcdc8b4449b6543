/// The rule for ids of destinations, functions, containers and workflows: they appear in URL paths and log lines,
/// so they are kept to a safe alphabet instead of escaped everywhere.
enum Identifier {
    static func isValid(_ id: String) -> Bool {
        guard !id.isEmpty, id.utf8.count <= ModelLimits.maxIdentifierLength else { return false }
        return id.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
    }

    static func check(_ id: String, at pointer: JSONPointer, name: String) throws(ValidationError) {
        guard isValid(id) else {
            throw ValidationError(pointer, .invalidIdentifier,
                "\(name) must be 1 to \(ModelLimits.maxIdentifierLength) letters, digits, '.', '_' or '-'")
        }
    }
}
