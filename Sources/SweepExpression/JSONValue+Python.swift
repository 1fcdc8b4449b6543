import SweepJSON

/// How JSON values look from inside the expression language, which follows Python.
extension JSONValue {
    /// Python's name for the type, used in error messages the way Python's own messages use it.
    var pythonTypeName: String {
        switch self {
        case .null: "NoneType"
        case .bool: "bool"
        case .int: "int"
        case .double: "float"
        case .exactNumber(let n): n.isInteger ? "int" : "float"
        case .string: "str"
        case .array: "list"
        case .object: "dict"
        }
    }

    /// Python truthiness: None, False, zero, and empty strings and containers are false. Public: deploy conditions
    /// (SweepModel) use the same rule.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let b): b
        case .int(let i): i != 0
        case .double(let d): d != 0
        case .exactNumber: true  // never zero: zero is always an ordinary number
        case .string(let s): !s.isEmpty
        case .array(let a): !a.isEmpty
        case .object(let o): !o.isEmpty
        }
    }

    /// Approximate size in the units `EvaluationLimits.maxResultSize` counts: UTF-8 bytes of strings (and dict
    /// keys), plus one per value. Used to refuse a value before building it.
    var sizeUnits: Int {
        switch self {
        case .null, .bool, .int, .double, .exactNumber: 1
        case .string(let s): 1 + s.utf8.count
        case .array(let a): a.reduce(1) { $0 + $1.sizeUnits }
        case .object(let o): o.reduce(1) { $0 + $1.key.utf8.count + $1.value.sizeUnits }
        }
    }
}
