/// Why an expression could not be parsed or evaluated. Callers pattern-match on `kind`: a `.syntax` error is the
/// workflow author's mistake and is reported at validation time; `.runtime` depends on the data; `.limit` means
/// the expression tried to use more time or memory than the scheduler grants.
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable { case syntax, runtime, limit }
    public var kind: Kind
    public var message: String
    /// 0-based offset in Unicode scalars (Python's code points) in the source where the problem is.
    /// Always set for syntax errors; set for runtime and limit errors when a node is to blame.
    public var position: Int?

    public init(kind: Kind, message: String, position: Int?) {
        self.kind = kind
        self.message = message
        self.position = position
    }

    public var description: String {
        if let position { return "\(message) (at position \(position))" }
        return message
    }
}

extension ExpressionError {
    static func syntax(_ message: String, at position: Int) -> ExpressionError {
        ExpressionError(kind: .syntax, message: message, position: position)
    }

    static func runtime(_ message: String, at position: Int?) -> ExpressionError {
        ExpressionError(kind: .runtime, message: message, position: position)
    }

    static func limit(_ message: String, at position: Int?) -> ExpressionError {
        ExpressionError(kind: .limit, message: message, position: position)
    }
}
