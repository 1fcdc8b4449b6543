import Postgres

/// A statement (or a CTE fragment of one) whose inputs are named: `$run`, `$now`. The same text runs two ways:
/// from Swift as a bound query (`query(_:)` turns each name into `$n` plus a bound value, so values never enter
/// the text) and inside a PL/pgSQL routine (`plpgsql(_:)` puts that routine's parameter or variable in its
/// place). That is what lets the chain step's routine be built from the very statements every other path runs.
public struct SQLTemplate: Sendable, CustomStringConvertible {
    public let text: String

    public init(_ text: String) {
        self.text = text
    }

    public var description: String { text }

    /// The template with every `$name` bound to `values[name]` (the same `$n` for repeated names).
    public func query(_ values: [String: PostgresBind] = [:]) -> PostgresQuery {
        var binds: [PostgresBind] = []
        var numbers: [String: Int] = [:]
        let sql = substitute { name in
            guard let value = values[name] else { preconditionFailure("SQL input $\(name) not given") }
            if let number = numbers[name] { return "$\(number)" }
            binds.append(value)
            numbers[name] = binds.count
            return "$\(binds.count)"
        }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// The template with every `$name` replaced by a PL/pgSQL expression (a parameter or a variable).
    public func plpgsql(_ expressions: [String: String]) -> String {
        substitute { name in
            guard let expression = expressions[name] else { preconditionFailure("SQL input $\(name) not given") }
            return expression
        }
    }

    /// The names of the template's inputs, in order of first use.
    public var inputs: [String] {
        var names: [String] = []
        _ = substitute { name in
            if !names.contains(name) { names.append(name) }
            return ""
        }
        return names
    }

    /// `$` followed by a lower-case letter starts a name ([a-z0-9_]); `$1` and `$$` are left alone.
    private func substitute(_ replace: (String) -> String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var scalars = text.unicodeScalars[...]
        while let scalar = scalars.first {
            scalars = scalars.dropFirst()
            guard scalar == "$", let next = scalars.first, ("a"..."z").contains(next) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            var name = ""
            while let c = scalars.first, ("a"..."z").contains(c) || ("0"..."9").contains(c) || c == "_" {
                name.unicodeScalars.append(c)
                scalars = scalars.dropFirst()
            }
            out += replace(name)
        }
        return out
    }
}

extension SQLTemplate: ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) {
        self.init(value)
    }
}
