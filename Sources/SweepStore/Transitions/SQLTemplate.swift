import Postgres

/// A statement (or a CTE fragment of one) whose inputs are named: `$run`, `$now`. The same text runs two ways:
/// from Swift as a bound query (`query(_:)` turns each name into `$n` plus a bound value, so values never enter
/// the text) and inside a PL/pgSQL routine (`plpgsql(_:)` puts that routine's parameter or variable in its
/// place). That is what lets the chain step's routine be built from the very statements every other path runs.
public struct SQLTemplate: Sendable, CustomStringConvertible {
    public let text: String
    /// `text` with each name turned into `$n`, numbered by first use, and the names in that order: worked out once
    /// (templates are static), so a query only looks its values up. Rewriting a statement of a few kilobytes for
    /// every execution was a share of a scheduler's CPU per step.
    private let numbered: String
    private let names: [String]

    public init(_ text: String) {
        self.text = text
        var names: [String] = []
        numbered = Self.substitute(text) { name in
            if let index = names.firstIndex(of: name) { return "$\(index + 1)" }
            names.append(name)
            return "$\(names.count)"
        }
        self.names = names
    }

    public var description: String { text }

    /// The template with every `$name` bound to `values[name]` (the same `$n` for repeated names).
    public func query(_ values: [String: PostgresBind] = [:]) -> PostgresQuery {
        let binds = names.map { name in
            guard let value = values[name] else { preconditionFailure("SQL input $\(name) not given") }
            return value
        }
        return PostgresQuery(unsafeSQL: numbered, binds: binds)
    }

    /// The template with every `$name` replaced by a PL/pgSQL expression (a parameter or a variable).
    public func plpgsql(_ expressions: [String: String]) -> String {
        Self.substitute(text) { name in
            guard let expression = expressions[name] else { preconditionFailure("SQL input $\(name) not given") }
            return expression
        }
    }

    /// The names of the template's inputs, in order of first use.
    public var inputs: [String] { names }

    /// `$` followed by a lower-case letter starts a name ([a-z0-9_]); `$1` and `$$` are left alone. Walks UTF-8
    /// bytes: `$` and the name characters are ASCII, which never occurs inside a multi-byte character.
    private static func substitute(_ text: String, _ replace: (String) -> String) -> String {
        let bytes = Array(text.utf8)
        let isLower = { (byte: UInt8) in byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "$"), index + 1 < bytes.count, isLower(bytes[index + 1]) else {
                out.append(bytes[index])
                index += 1
                continue
            }
            var end = index + 1
            while end < bytes.count, isLower(bytes[end]) || (bytes[end] >= UInt8(ascii: "0") && bytes[end] <= UInt8(ascii: "9")) || bytes[end] == UInt8(ascii: "_") {
                end += 1
            }
            out.append(contentsOf: replace(String(decoding: bytes[(index + 1)..<end], as: UTF8.self)).utf8)
            index = end
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension SQLTemplate: ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) {
        self.init(value)
    }
}
