import SweepJSON

/// Python truthiness, which SWEEP deploy conditions follow (they are Python expressions): `None`, `False`, zero,
/// and empty strings, lists and dicts are false.
enum Truthiness {
    static func isTrue(_ value: JSONValue) -> Bool {
        switch value {
        case .null: false
        case .bool(let b): b
        case .int(let i): i != 0
        case .double(let d): d != 0
        case .string(let s): !s.isEmpty
        case .array(let a): !a.isEmpty
        case .object(let o): !o.isEmpty
        }
    }
}
