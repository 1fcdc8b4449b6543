import SweepExpression

/// How a task itself multiplies, apart from any `follow`: not at all, a fixed number of times, or once per element
/// of a list computed from its input.
public enum Replication: Sendable, Hashable {
    case none
    case multiplicity(Int)
    case scatter(Expression)

    public var isReplicated: Bool { if case .none = self { false } else { true } }
}
