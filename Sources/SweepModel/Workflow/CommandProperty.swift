import SweepExpression

/// A container task's `command`: a fixed argument list, or (SWEEP example 7) an expression evaluated per run whose
/// value, a list of strings, is the argument list, so each replica can get its own arguments (`-f 3`).
public enum CommandProperty: Sendable, Hashable {
    case arguments([String])
    case expression(Expression)
}
