import SweepJSON

/// A parsed SWEEP dynamic-property expression: a bounded subset of Python expressions over JSON values,
/// e.g. `predecessor_outputs['1']['buckets'][0]['count'] >= 4`. We never run Python: parsing refuses everything
/// outside the subset (attributes, lambdas, non-allow-listed calls), and evaluation is metered by
/// `EvaluationLimits`, so an untrusted expression can neither reach the system nor exhaust the scheduler.
public struct Expression: Sendable, Hashable {
    public let source: String
    private let root: Node
    private let names: Set<String>

    public init(parsing source: String) throws(ExpressionError) {
        self.source = source
        self.root = try Parser.parse(source)
        self.names = root.referencedNames
    }

    public func evaluate(_ bindings: [String: JSONValue], limits: EvaluationLimits = .default) throws(ExpressionError) -> JSONValue {
        var evaluator = Evaluator(bindings: bindings, limits: limits)
        return try evaluator.evaluate(root)
    }

    /// When the expression is a plain path `name[const][const]...` (constant string/int subscripts only), the root
    /// name and keys; nil otherwise. The workflow planner uses it to replace the scattered path by one element in
    /// each replica's input. A bare name is a path with no keys.
    public var subscriptPath: (root: String, keys: [JSONValue])? { root.subscriptPath }

    /// Free variable names the expression reads (for validation: only predecessor_outputs and static_input are allowed).
    public var referencedNames: Set<String> { names }

    // Two expressions are the same when their text is: the tree is a pure function of it.
    public static func == (lhs: Expression, rhs: Expression) -> Bool { lhs.source == rhs.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}
