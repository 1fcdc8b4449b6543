import SweepJSON
import SweepStore

/// How a stored definition is shown: the definition as registered (without secrets), plus bookkeeping.
enum DefinitionRendering {
    static func render(_ stored: StoredDefinition) -> JSONValue {
        guard case .object(var object) = stored.definition else { return stored.definition }
        if let sha = stored.codeSHA256 { object["code_sha256"] = .string(sha) }
        object["created_at"] = Timestamp.json(stored.createdAt)
        object["updated_at"] = Timestamp.json(stored.updatedAt)
        return .object(object)
    }
}
