import SweepJSON

/// A node of the expression's syntax tree. Every node records where it starts (for error messages) and its
/// height, which the parser caps so that neither evaluation nor the tree's own deallocation can recurse deep
/// enough to overflow the stack.
struct Node: Sendable {
    indirect enum Kind: Sendable {
        case literal(JSONValue)
        case name(String)
        /// List displays and tuples alike: tuples evaluate to JSON arrays.
        case list([Node])
        case dict(keys: [Node], values: [Node])
        case index(Node, index: Node)
        case slice(Node, lower: Node?, upper: Node?, step: Node?)
        case unary(UnaryOperator, Node)
        case binary(BinaryOperator, Node, Node)
        /// `a < b <= c` keeps Python's chained meaning: `a < b and b <= c`, with `b` evaluated once.
        case compare(Node, [ComparisonOperator], [Node])
        /// `and`/`or` chains are flat, so long chains add no height.
        case logical(LogicalOperator, [Node])
        case conditional(test: Node, then: Node, otherwise: Node)
        case call(Builtin, [Node])
    }

    enum UnaryOperator: String, Sendable { case negate = "-", plus = "+", not = "not" }
    enum BinaryOperator: String, Sendable {
        case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//", modulo = "%", power = "**"
    }
    enum ComparisonOperator: String, Sendable {
        case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=", equal = "==", notEqual = "!="
        case `in` = "in", notIn = "not in", `is` = "is", isNot = "is not"
    }
    enum LogicalOperator: String, Sendable { case and, or }

    let kind: Kind
    let position: Int
    let height: Int

    init(_ kind: Kind, at position: Int) {
        self.kind = kind
        self.position = position
        self.height = 1 + (Node.children(of: kind).map(\.height).max() ?? 0)
    }

    private static func children(of kind: Kind) -> [Node] {
        switch kind {
        case .literal, .name: []
        case .list(let elements): elements
        case .dict(let keys, let values): keys + values
        case .index(let target, let index): [target, index]
        case .slice(let target, let lower, let upper, let step): [target] + [lower, upper, step].compactMap { $0 }
        case .unary(_, let operand): [operand]
        case .binary(_, let left, let right): [left, right]
        case .compare(let first, _, let rest): [first] + rest
        case .logical(_, let operands): operands
        case .conditional(let test, let then, let otherwise): [test, then, otherwise]
        case .call(_, let arguments): arguments
        }
    }

    var children: [Node] { Node.children(of: kind) }

    /// Names read anywhere in the tree. Recursion is bounded by the parser's height cap.
    var referencedNames: Set<String> {
        if case .name(let name) = kind { return [name] }
        return children.reduce(into: Set<String>()) { $0.formUnion($1.referencedNames) }
    }

    /// `name[const][const]…` with string or integer constant keys, as (root, keys); nil for anything else.
    var subscriptPath: (root: String, keys: [JSONValue])? {
        switch kind {
        case .name(let name):
            return (name, [])
        case .index(let target, let index):
            guard case .literal(let key) = index.kind, Node.isPathKey(key), let path = target.subscriptPath else { return nil }
            return (path.root, path.keys + [key])
        default:
            return nil
        }
    }

    private static func isPathKey(_ key: JSONValue) -> Bool {
        switch key {
        case .string, .int: true
        default: false
        }
    }
}
