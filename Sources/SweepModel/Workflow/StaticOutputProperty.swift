import SweepExpression
import SweepJSON

/// `static_output`: SWEEP treats a string as an expression evaluated over the run's input, anything else as a constant.
public enum StaticOutputProperty: Sendable, Hashable {
    case constant(JSONValue)
    case expression(Expression)
}
