import SweepJSON

/// Walks a syntax tree over JSON bindings with Python semantics, charging every unit of work to the step budget
/// and checking the size of every value it builds before building it.
struct Evaluator {
    private let bindings: [String: JSONValue]
    let limits: EvaluationLimits
    private var steps = 0
    private var depth = 0

    init(bindings: [String: JSONValue], limits: EvaluationLimits) {
        self.bindings = bindings
        self.limits = limits
    }

    // MARK: Budgets

    mutating func charge(_ units: Int, at position: Int?) throws(ExpressionError) {
        let (total, overflow) = steps.addingReportingOverflow(Swift.max(units, 0))
        steps = total
        guard !overflow, steps <= limits.maxSteps else {
            throw .limit("evaluation takes more than \(limits.maxSteps) steps", at: position)
        }
    }

    /// Refuses a value of `units` size units before it is built, and charges the work of building it.
    mutating func reserve(_ units: Int, at position: Int?) throws(ExpressionError) {
        guard units <= limits.maxResultSize else {
            throw .limit("result would be larger than the limit of \(limits.maxResultSize)", at: position)
        }
        try charge(units / EvaluationLimits.allocationUnitsPerStep, at: position)
    }

    /// `a * b` for sizes, saturating so an overflow is simply "too large".
    static func multiplySizes(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max : product
    }

    // MARK: Nodes

    mutating func evaluate(_ node: Node) throws(ExpressionError) -> JSONValue {
        try charge(1, at: node.position)
        depth += 1
        defer { depth -= 1 }
        guard depth <= limits.maxDepth else {
            throw .limit("evaluation is nested deeper than \(limits.maxDepth) levels", at: node.position)
        }
        switch node.kind {
        case .literal(let value):
            return value
        case .name(let name):
            guard let value = bindings[name] else { throw .runtime("name '\(name)' is not defined", at: node.position) }
            return value
        case .list(let elements):
            var values: [JSONValue] = []
            values.reserveCapacity(elements.count)
            var size = 1
            for element in elements {
                let value = try evaluate(element)
                // Checked as elements arrive so a list of many large values stops at the first one too many.
                size += value.sizeUnits
                try reserve(size, at: node.position)
                values.append(value)
            }
            return .array(values)
        case .dict(let keys, let valueNodes):
            var object: [String: JSONValue] = [:]
            var size = 1
            for (keyNode, valueNode) in zip(keys, valueNodes) {
                let key = try evaluate(keyNode)
                guard case .string(let name) = key else {
                    throw .runtime("dict keys must be strings, not '\(key.pythonTypeName)'", at: keyNode.position)
                }
                let value = try evaluate(valueNode)
                size += name.utf8.count + value.sizeUnits
                try reserve(size, at: node.position)
                object[name] = value
            }
            return .object(object)
        case .index(let target, let indexNode):
            let container = try evaluate(target)
            let index = try evaluate(indexNode)
            return try subscriptValue(container, index, at: node.position)
        case .slice(let target, let lower, let upper, let step):
            let container = try evaluate(target)
            let lowerValue = try lower.map { (n: Node) throws(ExpressionError) in try evaluate(n) } ?? .null
            let upperValue = try upper.map { (n: Node) throws(ExpressionError) in try evaluate(n) } ?? .null
            let stepValue = try step.map { (n: Node) throws(ExpressionError) in try evaluate(n) } ?? .null
            return try slice(container, lowerValue, upperValue, stepValue, at: node.position)
        case .unary(let op, let operandNode):
            return try unary(op, try evaluate(operandNode), at: node.position)
        case .binary(let op, let leftNode, let rightNode):
            let left = try evaluate(leftNode)
            let right = try evaluate(rightNode)
            return try binary(op, left, right, at: node.position)
        case .compare(let firstNode, let operators, let operandNodes):
            var left = try evaluate(firstNode)
            for (op, operandNode) in zip(operators, operandNodes) {
                let right = try evaluate(operandNode)
                guard try compare(op, left, right, at: operandNode.position) else { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .logical(let op, let operands):
            // Python returns the operand that decided the outcome, not a bool.
            var value = JSONValue.null
            for operand in operands {
                value = try evaluate(operand)
                if value.isTruthy == (op == .or) { return value }
            }
            return value
        case .conditional(let test, let then, let otherwise):
            return try evaluate(test).isTruthy ? try evaluate(then) : try evaluate(otherwise)
        case .call(let builtin, let argumentNodes):
            // Arguments are not a new value (`len(p)` only looks at p); each one that was built here was already
            // size-checked and charged to the step budget, which bounds how much can be built in total.
            var arguments: [JSONValue] = []
            for argumentNode in argumentNodes { arguments.append(try evaluate(argumentNode)) }
            return try call(builtin, arguments, at: node.position)
        }
    }

    // MARK: Subscripts

    /// An integer index as Python sees it: ints, and bools as 0/1.
    static func integer(_ value: JSONValue) -> Int64? {
        switch value {
        case .int(let i): i
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }

    private mutating func subscriptValue(_ container: JSONValue, _ index: JSONValue, at position: Int) throws(ExpressionError) -> JSONValue {
        switch container {
        case .array(let elements):
            guard let i = Evaluator.integer(index) else {
                throw .runtime("list indices must be integers or slices, not \(index.pythonTypeName)", at: position)
            }
            guard let resolved = Evaluator.resolve(i, count: elements.count) else {
                throw .runtime("list index \(i) out of range", at: position)
            }
            return elements[resolved]
        case .string(let s):
            guard let i = Evaluator.integer(index) else {
                throw .runtime("string indices must be integers, not \(index.pythonTypeName)", at: position)
            }
            try charge(s.utf8.count / EvaluationLimits.allocationUnitsPerStep, at: position)
            let scalars = Array(s.unicodeScalars)
            guard let resolved = Evaluator.resolve(i, count: scalars.count) else {
                throw .runtime("string index \(i) out of range", at: position)
            }
            return .string(String(scalars[resolved]))
        case .object(let object):
            guard case .string(let key) = index, let value = object[key] else {
                throw .runtime("key \(PythonFormatter.shortRepr(index)) not found", at: position)
            }
            return value
        default:
            throw .runtime("'\(container.pythonTypeName)' object is not subscriptable", at: position)
        }
    }

    /// A Python index (negative counts from the end) as an offset, or nil when out of range.
    private static func resolve(_ index: Int64, count: Int) -> Int? {
        let adjusted = index < 0 ? Int(index) + count : Int(clamping: index)
        return adjusted >= 0 && adjusted < count ? adjusted : nil
    }

    private mutating func slice(
        _ container: JSONValue, _ lower: JSONValue, _ upper: JSONValue, _ step: JSONValue, at position: Int
    ) throws(ExpressionError) -> JSONValue {
        func bound(_ value: JSONValue) throws(ExpressionError) -> Int? {
            if case .null = value { return nil }
            guard let i = Evaluator.integer(value) else {
                throw .runtime("slice indices must be integers or None, not \(value.pythonTypeName)", at: position)
            }
            return Int(i)
        }
        let stepValue = try bound(step) ?? 1
        guard stepValue != 0 else { throw .runtime("slice step cannot be zero", at: position) }
        switch container {
        case .array(let elements):
            let offsets = Evaluator.sliceOffsets(count: elements.count, try bound(lower), try bound(upper), stepValue)
            try reserve(offsets.count + 1, at: position)
            return .array(offsets.map { elements[$0] })
        case .string(let s):
            try charge(s.utf8.count / EvaluationLimits.allocationUnitsPerStep, at: position)
            let scalars = Array(s.unicodeScalars)
            let offsets = Evaluator.sliceOffsets(count: scalars.count, try bound(lower), try bound(upper), stepValue)
            try reserve(offsets.count + 1, at: position)
            return .string(String(String.UnicodeScalarView(offsets.map { scalars[$0] })))
        default:
            throw .runtime("'\(container.pythonTypeName)' object is not subscriptable", at: position)
        }
    }

    /// Python's slice.indices(): clamp both bounds into the sequence, then step from lower towards upper.
    static func sliceOffsets(count: Int, _ lower: Int?, _ upper: Int?, _ step: Int) -> [Int] {
        func clamp(_ value: Int?, default fallback: Int) -> Int {
            guard var v = value else { return fallback }
            if v < 0 {
                v = v.addingReportingOverflow(count).partialValue
                if v < 0 { v = step < 0 ? -1 : 0 }
            } else if v >= count {
                v = step < 0 ? count - 1 : count
            }
            return v
        }
        let start = clamp(lower, default: step < 0 ? count - 1 : 0)
        let stop = clamp(upper, default: step < 0 ? -1 : count)
        var offsets: [Int] = []
        var i = start
        while step > 0 ? i < stop : i > stop {
            offsets.append(i)
            let (next, overflow) = i.addingReportingOverflow(step)
            if overflow { break }
            i = next
        }
        return offsets
    }
}
