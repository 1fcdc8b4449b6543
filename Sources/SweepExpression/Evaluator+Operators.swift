#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SweepJSON

/// Python's operators over JSON values. Integers are 64-bit where Python's are unbounded: results that do not
/// fit are errors, never traps. Overflow of `+ - * //` is a runtime error; `**` overflow is a limit error,
/// because there the real Python result is astronomically large (`10**10**10`) and refusing it is resource control.
extension Evaluator {
    /// A number as Python's arithmetic sees it; bools count as ints. A number kept exactly (`.exactNumber`: past
    /// Int64, or more digits than a Double holds) computes as its Double approximation, as in JavaScript; only
    /// passing it on unchanged keeps every digit.
    enum Number {
        case int(Int64)
        case double(Double)

        init?(_ value: JSONValue) {
            switch value {
            case .int(let i): self = .int(i)
            case .bool(let b): self = .int(b ? 1 : 0)
            case .double(let d): self = .double(d)
            case .exactNumber(let n): self = .double(n.approximation)
            default: return nil
            }
        }

        var asDouble: Double {
            switch self {
            case .int(let i): Double(i)
            case .double(let d): d
            }
        }
    }

    private static func unsupported(_ op: String, _ a: JSONValue, _ b: JSONValue, at position: Int) -> ExpressionError {
        .runtime("unsupported operand type(s) for \(op): '\(a.pythonTypeName)' and '\(b.pythonTypeName)'", at: position)
    }

    private static func overflow(at position: Int) -> ExpressionError {
        .runtime("integer overflow: the result does not fit in 64 bits", at: position)
    }

    private static func checked(_ result: (partialValue: Int64, overflow: Bool), at position: Int) throws(ExpressionError) -> JSONValue {
        guard !result.overflow else { throw overflow(at: position) }
        return .int(result.partialValue)
    }

    // MARK: Unary

    mutating func unary(_ op: Node.UnaryOperator, _ value: JSONValue, at position: Int) throws(ExpressionError) -> JSONValue {
        if op == .not { return .bool(!value.isTruthy) }
        guard let number = Number(value) else {
            throw .runtime("bad operand type for unary \(op.rawValue): '\(value.pythonTypeName)'", at: position)
        }
        switch (op, number) {
        case (.negate, .int(let i)): return try Evaluator.checked(Int64(0).subtractingReportingOverflow(i), at: position)
        case (.negate, .double(let d)): return .double(-d)
        case (_, .int(let i)): return .int(i)
        case (_, .double(let d)): return .double(d)
        }
    }

    // MARK: Binary

    mutating func binary(_ op: Node.BinaryOperator, _ a: JSONValue, _ b: JSONValue, at position: Int) throws(ExpressionError) -> JSONValue {
        switch op {
        case .add: return try add(a, b, at: position)
        case .multiply: return try multiply(a, b, at: position)
        case .subtract:
            switch (Number(a), Number(b)) {
            case (.int(let x), .int(let y)): return try Evaluator.checked(x.subtractingReportingOverflow(y), at: position)
            case (let x?, let y?): return .double(x.asDouble - y.asDouble)
            default: throw Evaluator.unsupported("-", a, b, at: position)
            }
        case .divide:
            guard let x = Number(a), let y = Number(b) else { throw Evaluator.unsupported("/", a, b, at: position) }
            guard y.asDouble != 0 else { throw .runtime("division by zero", at: position) }
            return .double(x.asDouble / y.asDouble)
        case .floorDivide: return try floorDivide(a, b, at: position)
        case .modulo: return try modulo(a, b, at: position)
        case .power: return try power(a, b, at: position)
        }
    }

    private mutating func add(_ a: JSONValue, _ b: JSONValue, at position: Int) throws(ExpressionError) -> JSONValue {
        switch (a, b) {
        case (.string(let x), .string(let y)):
            try reserve(1 + x.utf8.count + y.utf8.count, at: position)
            return .string(x + y)
        case (.array(let x), .array(let y)):
            try reserve(a.sizeUnits + b.sizeUnits - 1, at: position)
            return .array(x + y)
        default:
            switch (Number(a), Number(b)) {
            case (.int(let x), .int(let y)): return try Evaluator.checked(x.addingReportingOverflow(y), at: position)
            case (let x?, let y?): return .double(x.asDouble + y.asDouble)
            default: throw Evaluator.unsupported("+", a, b, at: position)
            }
        }
    }

    private mutating func multiply(_ a: JSONValue, _ b: JSONValue, at position: Int) throws(ExpressionError) -> JSONValue {
        switch (a, b) {
        case (.string, _) where Evaluator.integer(b) != nil:
            return try repeatValue(a, Evaluator.integer(b)!, at: position)
        case (_, .string) where Evaluator.integer(a) != nil:
            return try repeatValue(b, Evaluator.integer(a)!, at: position)
        case (.array, _) where Evaluator.integer(b) != nil:
            return try repeatValue(a, Evaluator.integer(b)!, at: position)
        case (_, .array) where Evaluator.integer(a) != nil:
            return try repeatValue(b, Evaluator.integer(a)!, at: position)
        default:
            switch (Number(a), Number(b)) {
            case (.int(let x), .int(let y)): return try Evaluator.checked(x.multipliedReportingOverflow(by: y), at: position)
            case (let x?, let y?): return .double(x.asDouble * y.asDouble)
            default: throw Evaluator.unsupported("*", a, b, at: position)
            }
        }
    }

    /// `'ab' * 3`, `[0] * 3`: the size is computed and refused before anything is allocated.
    private mutating func repeatValue(_ sequence: JSONValue, _ times: Int64, at position: Int) throws(ExpressionError) -> JSONValue {
        let count = times > 0 ? Int(times) : 0
        switch sequence {
        case .string(let s):
            try reserve(1 + Evaluator.multiplySizes(s.utf8.count, count), at: position)
            // `'' * 10**18` passes the size check; don't let String(repeating:) loop 10**18 times to build "".
            if s.isEmpty { return .string("") }
            return .string(String(repeating: s, count: count))
        case .array(let elements):
            try reserve(1 + Evaluator.multiplySizes(sequence.sizeUnits - 1, count), at: position)
            // An empty list repeated any number of times is still empty; don't loop over a huge count for it.
            if elements.isEmpty { return .array([]) }
            var result: [JSONValue] = []
            result.reserveCapacity(elements.count * count)
            for _ in 0..<count { result.append(contentsOf: elements) }
            return .array(result)
        default:
            throw Evaluator.unsupported("*", sequence, .int(times), at: position)
        }
    }

    private mutating func floorDivide(_ a: JSONValue, _ b: JSONValue, at position: Int) throws(ExpressionError) -> JSONValue {
        switch (Number(a), Number(b)) {
        case (.int(let x), .int(let y)):
            guard y != 0 else { throw .runtime("integer division or modulo by zero", at: position) }
            let (quotient, overflow) = x.dividedReportingOverflow(by: y)
            guard !overflow else { throw Evaluator.overflow(at: position) }
            // Swift truncates toward zero; Python floors.
            let remainder = x.remainderReportingOverflow(dividingBy: y).partialValue
            return .int(remainder != 0 && (remainder < 0) != (y < 0) ? quotient - 1 : quotient)
        case (let x?, let y?):
            guard y.asDouble != 0 else { throw .runtime("float floor division by zero", at: position) }
            return .double((x.asDouble / y.asDouble).rounded(.down))
        default:
            throw Evaluator.unsupported("//", a, b, at: position)
        }
    }

    private mutating func modulo(_ a: JSONValue, _ b: JSONValue, at position: Int) throws(ExpressionError) -> JSONValue {
        if case .string = a {
            throw .runtime("printf-style string formatting ('%') is not supported", at: position)
        }
        switch (Number(a), Number(b)) {
        case (.int(let x), .int(let y)):
            guard y != 0 else { throw .runtime("integer division or modulo by zero", at: position) }
            // remainderReportingOverflow: Int64.min % -1 would trap with `%`; its remainder is 0.
            let remainder = x.remainderReportingOverflow(dividingBy: y).partialValue
            // Python's remainder takes the sign of the divisor.
            return .int(remainder != 0 && (remainder < 0) != (y < 0) ? remainder + y : remainder)
        case (let x?, let y?):
            let divisor = y.asDouble
            guard divisor != 0 else { throw .runtime("float modulo by zero", at: position) }
            var remainder = x.asDouble.truncatingRemainder(dividingBy: divisor)
            if remainder != 0 && (remainder < 0) != (divisor < 0) { remainder += divisor }
            return .double(remainder)
        default:
            throw Evaluator.unsupported("%", a, b, at: position)
        }
    }

    private mutating func power(_ a: JSONValue, _ b: JSONValue, at position: Int) throws(ExpressionError) -> JSONValue {
        switch (Number(a), Number(b)) {
        case (.int(let base), .int(let exponent)) where exponent >= 0:
            return .int(try Evaluator.integerPower(base, exponent, at: position))
        case (let x?, let y?):
            let base = x.asDouble
            let exponent = y.asDouble
            if base == 0 && exponent < 0 { throw .runtime("0.0 cannot be raised to a negative power", at: position) }
            if base < 0 && exponent.rounded() != exponent && exponent.isFinite {
                throw .runtime("a negative number cannot be raised to a fractional power", at: position)
            }
            let result = pow(base, exponent)
            if result.isInfinite && base.isFinite && exponent.isFinite {
                throw .limit("result of ** is too large", at: position)
            }
            return .double(result)
        default:
            throw Evaluator.unsupported("** or pow()", a, b, at: position)
        }
    }

    /// Exponentiation by squaring; at most 63 rounds, whatever the exponent.
    private static func integerPower(_ base: Int64, _ exponent: Int64, at position: Int) throws(ExpressionError) -> Int64 {
        var result: Int64 = 1
        var factor = base
        var remaining = exponent
        let tooLarge = ExpressionError.limit("integer result of ** does not fit in 64 bits", at: position)
        while remaining > 0 {
            if remaining & 1 == 1 {
                let (product, overflow) = result.multipliedReportingOverflow(by: factor)
                guard !overflow else { throw tooLarge }
                result = product
            }
            remaining >>= 1
            if remaining > 0 {
                let (square, overflow) = factor.multipliedReportingOverflow(by: factor)
                guard !overflow else { throw tooLarge }
                factor = square
            }
        }
        return result
    }

    // MARK: Comparisons

    mutating func compare(_ op: Node.ComparisonOperator, _ a: JSONValue, _ b: JSONValue, at position: Int) throws(ExpressionError) -> Bool {
        switch op {
        case .equal: return try equal(a, b, at: position)
        case .notEqual: return try !equal(a, b, at: position)
        case .in: return try contains(b, a, at: position)
        case .notIn: return try !contains(b, a, at: position)
        case .is: return try identical(a, b, at: position)
        case .isNot: return try !identical(a, b, at: position)
        case .less, .lessOrEqual, .greater, .greaterOrEqual: return try order(op, a, b, at: position)
        }
    }

    /// Python `==` on JSON values: deep, with ints, floats and bools compared as numbers (`1 == 1.0 == True`).
    mutating func equal(_ a: JSONValue, _ b: JSONValue, at position: Int) throws(ExpressionError) -> Bool {
        try charge(1, at: position)
        switch (a, b) {
        case (.null, .null):
            return true
        case (.string(let x), .string(let y)):
            // Python compares code points; Swift's String == would also equate canonically equivalent text.
            try charge(Swift.min(x.utf8.count, y.utf8.count) / EvaluationLimits.allocationUnitsPerStep, at: position)
            return x.unicodeScalars.elementsEqual(y.unicodeScalars)
        case (.exactNumber(let x), .exactNumber(let y)):
            // Exact against exact compares every digit (2**64 != 2**64 + 1, though their Doubles are equal).
            return x == y
        case (.array(let x), .array(let y)):
            guard x.count == y.count else { return false }
            for (left, right) in zip(x, y) where try !equal(left, right, at: position) { return false }
            return true
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for (key, left) in x {
                guard let right = y[key], try equal(left, right, at: position) else { return false }
            }
            return true
        default:
            switch (Number(a), Number(b)) {
            case (.int(let x), .int(let y)): return x == y
            case (let x?, let y?): return x.asDouble == y.asDouble
            default: return false
            }
        }
    }

    /// `<`, `<=`, `>`, `>=`: numbers, strings by code point, and lists lexicographically, as in Python.
    mutating func order(_ op: Node.ComparisonOperator, _ a: JSONValue, _ b: JSONValue, at position: Int) throws(ExpressionError) -> Bool {
        try charge(1, at: position)
        func apply<T: Comparable>(_ x: T, _ y: T) -> Bool {
            switch op {
            case .less: x < y
            case .lessOrEqual: x <= y
            case .greater: x > y
            default: x >= y
            }
        }
        switch (a, b) {
        case (.string(let x), .string(let y)):
            try charge(Swift.min(x.utf8.count, y.utf8.count) / EvaluationLimits.allocationUnitsPerStep, at: position)
            var left = x.unicodeScalars.makeIterator()
            var right = y.unicodeScalars.makeIterator()
            while true {
                switch (left.next(), right.next()) {
                case (nil, nil): return apply(0, 0)
                case (nil, _): return apply(0, 1)
                case (_, nil): return apply(1, 0)
                case (let l?, let r?) where l != r: return apply(l, r)
                default: continue
                }
            }
        case (.array(let x), .array(let y)):
            // The first unequal pair decides; if one list is a prefix of the other, the shorter is smaller.
            for (left, right) in zip(x, y) where try !equal(left, right, at: position) {
                return try order(op, left, right, at: position)
            }
            return apply(x.count, y.count)
        default:
            switch (Number(a), Number(b)) {
            case (.int(let x), .int(let y)): return apply(x, y)
            case (let x?, let y?): return apply(x.asDouble, y.asDouble)
            default:
                throw .runtime(
                    "'\(op.rawValue)' not supported between instances of '\(a.pythonTypeName)' and '\(b.pythonTypeName)'",
                    at: position)
            }
        }
    }

    /// `element in container`: substring, list membership by `==`, or dict key.
    mutating func contains(_ container: JSONValue, _ element: JSONValue, at position: Int) throws(ExpressionError) -> Bool {
        switch container {
        case .string(let haystack):
            guard case .string(let needle) = element else {
                throw .runtime("'in <string>' requires string as left operand, not \(element.pythonTypeName)", at: position)
            }
            try charge((haystack.utf8.count + needle.utf8.count) / EvaluationLimits.allocationUnitsPerStep, at: position)
            return Evaluator.substring(Array(needle.unicodeScalars), in: Array(haystack.unicodeScalars))
        case .array(let elements):
            for candidate in elements where try equal(candidate, element, at: position) { return true }
            return false
        case .object(let object):
            if case .string(let key) = element { return object[key] != nil }
            return false
        default:
            throw .runtime("argument of type '\(container.pythonTypeName)' is not iterable", at: position)
        }
    }

    /// Knuth–Morris–Pratt, so a hostile `'a'*n+'b' in 'a'*m` stays linear.
    static func substring(_ needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> Bool {
        if needle.isEmpty { return true }
        if needle.count > haystack.count { return false }
        var failure = [Int](repeating: 0, count: needle.count)
        var k = 0
        for i in 1..<needle.count {
            while k > 0 && needle[i] != needle[k] { k = failure[k - 1] }
            if needle[i] == needle[k] { k += 1 }
            failure[i] = k
        }
        k = 0
        for scalar in haystack {
            while k > 0 && scalar != needle[k] { k = failure[k - 1] }
            if scalar == needle[k] { k += 1 }
            if k == needle.count { return true }
        }
        return false
    }

    /// `is` only has a meaning we can give it for the singletons None, True and False.
    private func identical(_ a: JSONValue, _ b: JSONValue, at position: Int) throws(ExpressionError) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, _), (_, .null), (.bool, _), (_, .bool): return false
        default: throw .runtime("'is' is only supported with None, True or False; use '==' to compare values", at: position)
        }
    }
}
