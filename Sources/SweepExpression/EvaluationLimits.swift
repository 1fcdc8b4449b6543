/// Bounds on one evaluation. Expressions come from tenants' workflow definitions and run inside the scheduler,
/// so every way to spend time or memory is metered: there are no loops in the language, but a single node can
/// still ask for a gigabyte (`'a' * 10**10`) or a huge comparison, and those are refused before they happen.
public struct EvaluationLimits: Sendable, Hashable {
    /// Budget of work units: one per AST node evaluated, one per element compared or visited by a builtin,
    /// and one per `allocationUnitsPerStep` units of value built, so many big allocations also run it out.
    public var maxSteps: Int
    /// Deepest recursion through the AST during evaluation.
    public var maxDepth: Int
    /// Largest value that may be built, in size units (see `JSONValue.sizeUnits`): roughly bytes for strings,
    /// one per element for containers. Checked before allocating.
    public var maxResultSize: Int

    public static let `default` = EvaluationLimits(maxSteps: 100_000, maxDepth: 64, maxResultSize: 1_000_000)

    public init(maxSteps: Int, maxDepth: Int, maxResultSize: Int) {
        self.maxSteps = maxSteps
        self.maxDepth = maxDepth
        self.maxResultSize = maxResultSize
    }

    /// Building this many size units costs one step.
    static let allocationUnitsPerStep = 32
}
