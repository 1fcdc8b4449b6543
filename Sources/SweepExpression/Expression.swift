import SweepJSON

/// A parsed SWEEP dynamic-property expression (a bounded subset of Python expressions).
/// STUB: the interface is fixed; the implementation is being written.
public struct Expression: Sendable, Hashable {
    public let source: String

    public init(parsing source: String) throws(ExpressionError) {
        self.source = source
        throw ExpressionError(kind: .syntax, message: "not implemented", position: 0)
    }

    public func evaluate(_ bindings: [String: JSONValue], limits: EvaluationLimits = .default) throws(ExpressionError) -> JSONValue {
        throw ExpressionError(kind: .runtime, message: "not implemented", position: nil)
    }

    public var subscriptPath: (root: String, keys: [JSONValue])? { nil }
    public var referencedNames: Set<String> { [] }
}

public struct EvaluationLimits: Sendable, Hashable {
    public var maxSteps: Int
    public var maxDepth: Int
    public var maxResultSize: Int
    public static let `default` = EvaluationLimits(maxSteps: 100_000, maxDepth: 64, maxResultSize: 1_000_000)
    public init(maxSteps: Int, maxDepth: Int, maxResultSize: Int) {
        self.maxSteps = maxSteps; self.maxDepth = maxDepth; self.maxResultSize = maxResultSize
    }
}

public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable { case syntax, runtime, limit }
    public var kind: Kind
    public var message: String
    /// 0-based character offset in the source where the problem is (always set for syntax errors).
    public var position: Int?
    public init(kind: Kind, message: String, position: Int?) {
        self.kind = kind; self.message = message; self.position = position
    }
    public var description: String {
        if let position { return "\(message) (at position \(position))" }
        return message
    }
}
