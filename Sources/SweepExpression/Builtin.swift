/// The only functions an expression may call. All are pure and bounded by `EvaluationLimits`; anything that
/// could reach the outside world (`open`, `exec`, `__import__`…) is simply not in this list, and calls are
/// resolved at parse time, so no binding can shadow or add a function.
enum Builtin: String, CaseIterable, Sendable {
    case len, int, float, str, bool, min, max, sum, abs, round, sorted, range, any, all

    /// Accepted positional-argument counts, checked by the parser.
    var arity: ClosedRange<Int> {
        switch self {
        case .len, .abs, .sorted, .any, .all: 1...1
        case .int, .float, .str, .bool: 0...1
        case .min, .max: 1...Int.max
        case .sum, .round: 1...2
        case .range: 1...3
        }
    }

    static let allowedList = allCases.map(\.rawValue).joined(separator: ", ")
}
