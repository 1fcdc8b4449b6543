import SweepExpression

/// A container task's `environment`: a fixed list, or an expression evaluated per run that yields such a list.
public enum EnvironmentProperty: Sendable, Hashable {
    case variables([EnvironmentVariable])
    case expression(Expression)
}
