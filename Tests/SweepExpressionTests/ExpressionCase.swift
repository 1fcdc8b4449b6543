import SweepExpression
import SweepJSON
import Testing

/// One row of the table: an expression and what evaluating it over `ExpressionCase.bindings` must give.
struct ExpressionCase: Sendable, CustomTestStringConvertible {
    enum Outcome: Sendable {
        case value(JSONValue)
        /// Parsing or evaluation must fail with this kind of error.
        case error(ExpressionError.Kind)
    }

    let source: String
    let outcome: Outcome

    init(_ source: String, _ value: JSONValue) {
        self.source = source
        self.outcome = .value(value)
    }

    init(_ source: String, fails kind: ExpressionError.Kind) {
        self.source = source
        self.outcome = .error(kind)
    }

    var testDescription: String { source.count > 80 ? String(source.prefix(77)) + "…" : source }

    /// The shape of a SWEEP task input, as in the seed document's examples.
    static let bindings: [String: JSONValue] = [
        "predecessor_outputs": [
            "1": [
                "buckets": [["name": "a", "count": 5], ["name": "b", "count": 2]],
                "env_vars": [["name": "EVAR1", "value": "1"]],
                "tile": [[0, 1], [2, 3], [4, 5]],
                "ratio": 0.25,
                "label": "tile-7",
                "flags": ["ok": true, "empty": [:]],
            ],
            "2": ["items": [3, 1, 2], "none": nil],
        ],
        "static_input": ["n": 3, "names": ["x", "y", "z"], "threshold": 2.5],
    ]
}
