import SweepJSON

/// The allow-listed functions, with Python's behaviour for the JSON types.
extension Evaluator {
    mutating func call(_ builtin: Builtin, _ arguments: [JSONValue], at position: Int) throws(ExpressionError) -> JSONValue {
        switch builtin {
        case .len: return try length(arguments[0], at: position)
        case .int: return arguments.isEmpty ? .int(0) : try toInt(arguments[0], at: position)
        case .float: return arguments.isEmpty ? .double(0) : try toFloat(arguments[0], at: position)
        case .str:
            guard let value = arguments.first else { return .string("") }
            let text = try PythonFormatter.str(value, budget: limits.maxResultSize)
            try reserve(text.utf8.count + 1, at: position)
            return .string(text)
        case .bool: return .bool(arguments.first?.isTruthy ?? false)
        case .min, .max: return try extreme(builtin, arguments, at: position)
        case .sum:
            var total = arguments.count > 1 ? arguments[1] : .int(0)
            if case .string = total { throw .runtime("sum() can't sum strings", at: position) }
            for element in try iterate(arguments[0], at: position) {
                try charge(1, at: position)
                total = try binary(.add, total, element, at: position)
            }
            return total
        case .abs:
            switch Number(arguments[0]) {
            case .int(let i)?:
                guard i != .min else { throw .runtime("integer overflow: the result does not fit in 64 bits", at: position) }
                return .int(Swift.abs(i))
            case .double(let d)?: return .double(Swift.abs(d))
            case nil: throw .runtime("bad operand type for abs(): '\(arguments[0].pythonTypeName)'", at: position)
            }
        case .round: return try round(arguments[0], digits: arguments.count > 1 ? arguments[1] : .null, at: position)
        case .sorted: return .array(try sortedValues(try iterate(arguments[0], at: position), at: position))
        case .range: return try range(arguments, at: position)
        case .any, .all:
            let wanted = builtin == .any
            for element in try iterate(arguments[0], at: position) {
                try charge(1, at: position)
                if element.isTruthy == wanted { return .bool(wanted) }
            }
            return .bool(!wanted)
        }
    }

    /// The elements Python would iterate: list items, string characters, dict keys (sorted: JSON objects keep
    /// no insertion order, and sorted keeps results stable).
    private mutating func iterate(_ value: JSONValue, at position: Int) throws(ExpressionError) -> [JSONValue] {
        switch value {
        case .array(let elements):
            return elements
        case .string(let s):
            try reserve(2 * s.utf8.count + 1, at: position)
            return s.unicodeScalars.map { .string(String($0)) }
        case .object(let object):
            try charge(object.count, at: position)
            return object.keys.sorted().map { .string($0) }
        default:
            throw .runtime("'\(value.pythonTypeName)' object is not iterable", at: position)
        }
    }

    private func length(_ value: JSONValue, at position: Int) throws(ExpressionError) -> JSONValue {
        switch value {
        case .string(let s): .int(Int64(s.unicodeScalars.count))
        case .array(let a): .int(Int64(a.count))
        case .object(let o): .int(Int64(o.count))
        default: throw .runtime("object of type '\(value.pythonTypeName)' has no len()", at: position)
        }
    }

    private static let pythonWhitespace: Set<Unicode.Scalar> = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}"]

    private static func trimmed(_ s: String) -> Substring.UnicodeScalarView {
        var view = Substring(s).unicodeScalars
        while let first = view.first, pythonWhitespace.contains(first) { view.removeFirst() }
        while let last = view.last, pythonWhitespace.contains(last) { view.removeLast() }
        return view
    }

    private func toInt(_ value: JSONValue, at position: Int) throws(ExpressionError) -> JSONValue {
        switch value {
        case .int, .bool: return .int(Evaluator.integer(value)!)
        case .double(let d):
            if d.isNaN { throw .runtime("cannot convert float NaN to integer", at: position) }
            if d.isInfinite { throw .runtime("cannot convert float infinity to integer", at: position) }
            guard let i = Int64(exactly: d.rounded(.towardZero)) else {
                throw .runtime("integer overflow: int(\(PythonFormatter.floatRepr(d))) does not fit in 64 bits", at: position)
            }
            return .int(i)
        case .exactNumber(let n):
            return try toInt(.double(n.approximation), at: position)
        case .string(let s):
            var text = String(Evaluator.trimmed(s))
            let invalid = ExpressionError.runtime("invalid literal for int() with base 10: \(PythonFormatter.shortRepr(value))", at: position)
            var sign = ""
            if let first = text.first, first == "+" || first == "-" {
                sign = first == "-" ? "-" : ""
                text.removeFirst()
            }
            // Python allows single underscores between digits, as in literals.
            guard !text.isEmpty, text.first != "_", text.last != "_", !text.contains("__"),
                text.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || $0 == "_" })
            else { throw invalid }
            guard let i = Int64(sign + text.filter { $0 != "_" }) else {
                throw .runtime("integer overflow: \(PythonFormatter.shortRepr(value)) does not fit in 64 bits", at: position)
            }
            return .int(i)
        default:
            throw .runtime("int() argument must be a string or a number, not '\(value.pythonTypeName)'", at: position)
        }
    }

    private func toFloat(_ value: JSONValue, at position: Int) throws(ExpressionError) -> JSONValue {
        switch value {
        case .int, .bool, .double, .exactNumber: return .double(Number(value)!.asDouble)
        case .string(let s):
            let text = String(Evaluator.trimmed(s)).lowercased()
            switch text {
            case "inf", "+inf", "infinity", "+infinity": return .double(.infinity)
            case "-inf", "-infinity": return .double(-.infinity)
            case "nan", "+nan", "-nan": return .double(.nan)
            default: break
            }
            // Swift's parser also takes hex floats; Python's float() does not.
            guard !text.isEmpty, text.unicodeScalars.allSatisfy({ "0123456789.e+-_".unicodeScalars.contains($0) }),
                let d = Double(text.filter { $0 != "_" })
            else { throw .runtime("could not convert string to float: \(PythonFormatter.shortRepr(value))", at: position) }
            return .double(d)
        default:
            throw .runtime("float() argument must be a string or a real number, not '\(value.pythonTypeName)'", at: position)
        }
    }

    private mutating func extreme(_ builtin: Builtin, _ arguments: [JSONValue], at position: Int) throws(ExpressionError) -> JSONValue {
        let candidates = arguments.count == 1 ? try iterate(arguments[0], at: position) : arguments
        guard var best = candidates.first else { throw .runtime("\(builtin.rawValue)() arg is an empty sequence", at: position) }
        // Python keeps the first of equal extremes, so only a strictly better candidate replaces it.
        let better: Node.ComparisonOperator = builtin == .min ? .less : .greater
        for candidate in candidates.dropFirst() where try order(better, candidate, best, at: position) {
            best = candidate
        }
        return best
    }

    private mutating func sortedValues(_ values: [JSONValue], at position: Int) throws(ExpressionError) -> [JSONValue] {
        // Merge sort rather than the standard library's sort, so a comparison can throw a typed error
        // (mixed types) and every comparison is charged. Stable, like Python's sort.
        guard values.count > 1 else { return values }
        let middle = values.count / 2
        let left = try sortedValues(Array(values[..<middle]), at: position)
        let right = try sortedValues(Array(values[middle...]), at: position)
        var merged: [JSONValue] = []
        merged.reserveCapacity(values.count)
        var i = 0
        var j = 0
        while i < left.count && j < right.count {
            if try order(.less, right[j], left[i], at: position) {
                merged.append(right[j])
                j += 1
            } else {
                merged.append(left[i])
                i += 1
            }
        }
        merged.append(contentsOf: left[i...])
        merged.append(contentsOf: right[j...])
        return merged
    }

    private mutating func round(_ value: JSONValue, digits: JSONValue, at position: Int) throws(ExpressionError) -> JSONValue {
        guard let number = Number(value) else {
            throw .runtime("type \(value.pythonTypeName) doesn't define __round__ method", at: position)
        }
        if case .null = digits {
            // One argument: an int, rounding halves to even (banker's rounding), as Python 3 does.
            switch number {
            case .int(let i): return .int(i)
            case .double(let d): return try toInt(.double(d.rounded(.toNearestOrEven)), at: position)
            }
        }
        guard let places = Evaluator.integer(digits) else {
            throw .runtime("'\(digits.pythonTypeName)' object cannot be interpreted as an integer", at: position)
        }
        switch number {
        case .int(let i):
            guard places < 0 else { return .int(i) }
            guard places > -19 else { return .int(0) }
            var scale: Int64 = 1
            for _ in 0..<(-places) { scale *= 10 }
            var quotient = i / scale
            var remainder = i % scale
            if remainder < 0 {
                quotient -= 1
                remainder += scale
            }
            // Half to even, comparing without overflowing `2 * remainder`.
            if remainder > scale - remainder || (remainder == scale - remainder && quotient % 2 != 0) { quotient += 1 }
            return try Evaluator.checkedProduct(quotient, scale, at: position)
        case .double(let d):
            guard d.isFinite else { return .double(d) }
            // Python rounds the exact binary value (round(2.675, 2) == 2.67, since 2.675 is really 2.67499…).
            // Powers of ten up to 1e22 are exact doubles, so one fused multiply-add gives the exact error of the
            // scaled value, which settles the only hard case: a scaled value that lands exactly on a half.
            // Compared before taking abs(), which would trap on Int64.min.
            guard places <= 22 && places >= -22 else { return .double(places > 0 ? d : 0 * d) }
            var scale = 1.0
            for _ in 0..<Swift.abs(places) { scale *= 10 }
            if places >= 0 {
                let scaled = d * scale
                guard scaled.isFinite else { return .double(d) }
                let error = (-scaled).addingProduct(d, scale)  // exactly d*scale - scaled
                return .double(Evaluator.roundHalfEven(scaled, error: error) / scale)
            }
            let scaled = d / scale
            let error = d.addingProduct(-scaled, scale)  // exactly d - scaled*scale: same sign as d/scale - scaled
            return .double(Evaluator.roundHalfEven(scaled, error: error) * scale)
        }
    }

    /// Rounds `value + error` (error far below one ulp of value) to an integer, halves to even.
    private static func roundHalfEven(_ value: Double, error: Double) -> Double {
        let floor = value.rounded(.down)
        guard value - floor == 0.5 else { return value.rounded(.toNearestOrEven) }
        if error > 0 { return floor + 1 }
        if error < 0 { return floor }
        return floor.truncatingRemainder(dividingBy: 2) == 0 ? floor : floor + 1
    }

    private static func checkedProduct(_ a: Int64, _ b: Int64, at position: Int) throws(ExpressionError) -> JSONValue {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else { throw .runtime("integer overflow: the result does not fit in 64 bits", at: position) }
        return .int(product)
    }

    /// `range(...)` as a list. Its length is computed exactly (in UInt64, which cannot overflow for any Int64
    /// bounds) and refused before the list is allocated.
    private mutating func range(_ arguments: [JSONValue], at position: Int) throws(ExpressionError) -> JSONValue {
        var bounds: [Int64] = []
        for argument in arguments {
            guard let i = Evaluator.integer(argument) else {
                throw .runtime("'\(argument.pythonTypeName)' object cannot be interpreted as an integer", at: position)
            }
            bounds.append(i)
        }
        let start = bounds.count > 1 ? bounds[0] : 0
        let stop = bounds.count > 1 ? bounds[1] : bounds[0]
        let step = bounds.count > 2 ? bounds[2] : 1
        guard step != 0 else { throw .runtime("range() arg 3 must not be zero", at: position) }
        let count: UInt64
        if step > 0 {
            count = start < stop ? (UInt64(bitPattern: stop &- start) - 1) / step.magnitude + 1 : 0
        } else {
            count = start > stop ? (UInt64(bitPattern: start &- stop) - 1) / step.magnitude + 1 : 0
        }
        guard count < UInt64(limits.maxResultSize) else {
            throw .limit("range() of \(count) elements is larger than the limit of \(limits.maxResultSize)", at: position)
        }
        try reserve(Int(count) + 1, at: position)
        var values: [JSONValue] = []
        values.reserveCapacity(Int(count))
        var current = start
        for i in 0..<Int(count) {
            values.append(.int(current))
            // The last element is within bounds; stepping past it could overflow, and is not needed.
            if i + 1 < Int(count) { current &+= step }
        }
        return .array(values)
    }
}
