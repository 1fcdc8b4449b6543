/// A regular expression for request parameters, matched in time linear in the input (a Thompson NFA simulated in
/// lock-step, as RE2 and Go's regexp do), so no pattern a tenant registers can make a request backtrack for
/// seconds (ReDoS). The syntax is the common subset: literals, `.`, classes `[a-z0-9_]` and `[^…]`, escapes
/// `\d \w \s \D \W \S` and escaped metacharacters, groups `(…)` and `(?:…)`, `|`, and the quantifiers `* + ?
/// {n} {n,} {n,m}` (lazy forms accepted; laziness does not change whether a value matches). No backreferences or
/// look-around, which no linear-time matcher can offer. A pattern matches a value when it matches some part of it
/// (JSON Schema's `pattern` semantics): anchor with `^…$` to match the whole value.
public struct SafeRegex: Sendable, Hashable {
    /// Longest pattern accepted at registration, in characters.
    public static let maxPatternLength = 512
    /// Most NFA states a pattern compiles to (counted repetitions are expanded): bounds the per-character cost.
    public static let maxStates = 4000
    /// Longest value matched; longer ones do not match (the per-request cost is at most this × `maxStates`).
    public static let maxInputLength = 10_000

    public let pattern: String
    let program: [Instruction]

    enum Instruction: Sendable, Hashable {
        case char(Unicode.Scalar)
        case set(CharacterSet, negated: Bool)
        case any
        case split(Int, Int)
        case jump(Int)
        case lineStart
        case lineEnd
        case match
    }

    struct CharacterSet: Sendable, Hashable {
        var ranges: [ClosedRange<UInt32>] = []
        func contains(_ scalar: Unicode.Scalar) -> Bool { ranges.contains { $0.contains(scalar.value) } }
    }

    public struct SyntaxError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public init(_ pattern: String) throws(SyntaxError) {
        guard pattern.unicodeScalars.count <= Self.maxPatternLength else {
            throw SyntaxError(description: "the pattern is longer than \(Self.maxPatternLength) characters")
        }
        var parser = Parser(scalars: Array(pattern.unicodeScalars))
        let node = try parser.parseAlternation()
        guard parser.position == parser.scalars.count else { throw SyntaxError(description: "unbalanced ')' at position \(parser.position)") }
        var compiler = Compiler()
        try compiler.emit(node)
        compiler.program.append(.match)
        self.pattern = pattern
        self.program = compiler.program
    }

    /// Whether the pattern matches some part of `text` (every start position at once, in one pass).
    public func matches(_ text: String) -> Bool {
        let input = Array(text.unicodeScalars)
        guard input.count <= Self.maxInputLength else { return false }
        var current = ThreadList(size: program.count)
        var next = ThreadList(size: program.count)
        for position in 0...input.count {
            // Unanchored: a new thread starts at every position.
            addThread(&current, 0, position, input)
            if current.contains(where: { program[$0] == .match }) { return true }
            guard position < input.count else { break }
            let scalar = input[position]
            next.clear()
            for pc in current.items {
                let advances: Bool
                switch program[pc] {
                case .char(let c): advances = c == scalar
                case .set(let set, let negated): advances = set.contains(scalar) != negated
                case .any: advances = scalar != "\n"
                default: advances = false
                }
                if advances { addThread(&next, pc + 1, position + 1, input) }
            }
            swap(&current, &next)
        }
        return false
    }

    struct ThreadList {
        /// Threads waiting on a character (or at `match`).
        var items: [Int] = []
        var seen: [Bool]
        /// Every instruction marked in `seen` (jumps and splits too), to unmark them.
        var visited: [Int] = []
        init(size: Int) { seen = Array(repeating: false, count: size) }
        mutating func clear() {
            for pc in visited { seen[pc] = false }
            visited.removeAll(keepingCapacity: true)
            items.removeAll(keepingCapacity: true)
        }
        func contains(where predicate: (Int) -> Bool) -> Bool { items.contains(where: predicate) }
    }

    /// Follows jumps, splits and anchors (an explicit stack: no recursion depth to bound).
    private func addThread(_ list: inout ThreadList, _ start: Int, _ position: Int, _ input: [Unicode.Scalar]) {
        var stack = [start]
        while let pc = stack.popLast() {
            guard !list.seen[pc] else { continue }
            list.seen[pc] = true
            list.visited.append(pc)
            switch program[pc] {
            case .jump(let target): stack.append(target)
            case .split(let first, let second): stack.append(second); stack.append(first)
            case .lineStart: if position == 0 { stack.append(pc + 1) }
            case .lineEnd: if position == input.count { stack.append(pc + 1) }
            default: list.items.append(pc)
            }
        }
    }

    // MARK: Parsing

    indirect enum Node {
        case empty
        case char(Unicode.Scalar)
        case set(CharacterSet, negated: Bool)
        case any
        case lineStart, lineEnd
        case concat([Node])
        case alternation([Node])
        case repeated(Node, min: Int, max: Int?)
    }

    struct Parser {
        let scalars: [Unicode.Scalar]
        var position = 0
        var depth = 0

        func peek() -> Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

        mutating func parseAlternation() throws(SyntaxError) -> Node {
            depth += 1
            defer { depth -= 1 }
            guard depth <= 50 else { throw SyntaxError(description: "groups nest more than 50 deep") }
            var branches = [try parseConcat()]
            while peek() == "|" {
                position += 1
                branches.append(try parseConcat())
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        mutating func parseConcat() throws(SyntaxError) -> Node {
            var items: [Node] = []
            while let c = peek(), c != "|", c != ")" {
                var atom = try parseAtom()
                while let q = peek(), q == "*" || q == "+" || q == "?" || q == "{" {
                    if case .lineStart = atom { throw SyntaxError(description: "nothing to repeat at position \(position)") }
                    if case .lineEnd = atom { throw SyntaxError(description: "nothing to repeat at position \(position)") }
                    let (min, max) = try parseQuantifier()
                    atom = .repeated(atom, min: min, max: max)
                    if peek() == "?" { position += 1 }  // lazy: same language
                }
                items.append(atom)
            }
            return items.isEmpty ? .empty : items.count == 1 ? items[0] : .concat(items)
        }

        mutating func parseQuantifier() throws(SyntaxError) -> (Int, Int?) {
            let c = scalars[position]
            position += 1
            switch c {
            case "*": return (0, nil)
            case "+": return (1, nil)
            case "?": return (0, 1)
            default:
                let min = try parseNumber()
                var max: Int? = min
                if peek() == "," {
                    position += 1
                    max = peek() == "}" ? nil : try parseNumber()
                }
                guard peek() == "}" else { throw SyntaxError(description: "a counted repetition needs '}' at position \(position)") }
                position += 1
                if let max, max < min { throw SyntaxError(description: "{\(min),\(max)}: the maximum is below the minimum") }
                guard (max ?? min) <= 1000 else { throw SyntaxError(description: "counted repetitions go up to 1000") }
                return (min, max)
            }
        }

        mutating func parseNumber() throws(SyntaxError) -> Int {
            var value = 0
            var digits = 0
            while let c = peek(), let digit = Int(String(c)), c.isASCII {
                value = value * 10 + digit
                digits += 1
                position += 1
                guard digits <= 4 else { throw SyntaxError(description: "a repetition count is too large") }
            }
            guard digits > 0 else { throw SyntaxError(description: "a repetition count is expected at position \(position)") }
            return value
        }

        mutating func parseAtom() throws(SyntaxError) -> Node {
            let c = scalars[position]
            position += 1
            switch c {
            case "(":
                if peek() == "?" {
                    guard position + 1 < scalars.count, scalars[position + 1] == ":" else {
                        throw SyntaxError(description: "only (?:…) groups are supported (no look-around or named groups)")
                    }
                    position += 2
                }
                let inner = try parseAlternation()
                guard peek() == ")" else { throw SyntaxError(description: "missing ')'") }
                position += 1
                return inner
            case ".": return .any
            case "^": return .lineStart
            case "$": return .lineEnd
            case "[": return try parseClass()
            case "\\": return try parseEscape(inClass: false).node
            case "*", "+", "?", "{": throw SyntaxError(description: "nothing to repeat at position \(position - 1)")
            default: return .char(c)
            }
        }

        mutating func parseEscape(inClass: Bool) throws(SyntaxError) -> (node: Node, set: CharacterSet?, negated: Bool) {
            guard let c = peek() else { throw SyntaxError(description: "the pattern ends with '\\'") }
            position += 1
            let digits = CharacterSet(ranges: [48...57])
            let word = CharacterSet(ranges: [48...57, 65...90, 95...95, 97...122])
            let space = CharacterSet(ranges: [9...13, 32...32])
            switch c {
            case "d": return (.set(digits, negated: false), digits, false)
            case "D": return (.set(digits, negated: true), digits, true)
            case "w": return (.set(word, negated: false), word, false)
            case "W": return (.set(word, negated: true), word, true)
            case "s": return (.set(space, negated: false), space, false)
            case "S": return (.set(space, negated: true), space, true)
            case "n": return (.char("\n"), CharacterSet(ranges: [10...10]), false)
            case "t": return (.char("\t"), CharacterSet(ranges: [9...9]), false)
            default:
                if c.properties.isAlphabetic || ("0"..."9").contains(c) {
                    throw SyntaxError(description: "unsupported escape \\\(c) (no backreferences or word boundaries)")
                }
                return (.char(c), CharacterSet(ranges: [c.value...c.value]), false)
            }
        }

        mutating func parseClass() throws(SyntaxError) -> Node {
            var set = CharacterSet()
            var negated = false
            if peek() == "^" { negated = true; position += 1 }
            var first = true
            while true {
                guard let c = peek() else { throw SyntaxError(description: "missing ']'") }
                if c == "]" && !first { position += 1; break }
                first = false
                var low: UInt32
                if c == "\\" {
                    position += 1
                    let escaped = try parseEscape(inClass: true)
                    guard let inner = escaped.set else { throw SyntaxError(description: "bad escape in a class") }
                    if escaped.negated {
                        throw SyntaxError(description: "negated escapes (\\D, \\W, \\S) are not supported inside [...]")
                    }
                    if inner.ranges.count != 1 || inner.ranges[0].count != 1 {
                        set.ranges += inner.ranges
                        continue
                    }
                    low = inner.ranges[0].lowerBound
                } else {
                    position += 1
                    low = c.value
                }
                if peek() == "-", position + 1 < scalars.count, scalars[position + 1] != "]" {
                    position += 1
                    var high = scalars[position].value
                    position += 1
                    if scalars[position - 1] == "\\" {
                        guard let escaped = peek() else { throw SyntaxError(description: "missing ']'") }
                        high = escaped.value
                        position += 1
                    }
                    guard high >= low else { throw SyntaxError(description: "a class range runs backwards") }
                    set.ranges.append(low...high)
                } else {
                    set.ranges.append(low...low)
                }
            }
            return .set(set, negated: negated)
        }
    }

    // MARK: Compiling

    struct Compiler {
        var program: [Instruction] = []

        mutating func append(_ instruction: Instruction) throws(SyntaxError) {
            guard program.count < SafeRegex.maxStates else {
                throw SyntaxError(description: "the pattern is too large once its repetitions are expanded (over \(SafeRegex.maxStates) states)")
            }
            program.append(instruction)
        }

        mutating func emit(_ node: Node) throws(SyntaxError) {
            switch node {
            case .empty: break
            case .char(let c): try append(.char(c))
            case .set(let set, let negated): try append(.set(set, negated: negated))
            case .any: try append(.any)
            case .lineStart: try append(.lineStart)
            case .lineEnd: try append(.lineEnd)
            case .concat(let items): for item in items { try emit(item) }
            case .alternation(let branches):
                var jumps: [Int] = []
                for (index, branch) in branches.enumerated() {
                    if index < branches.count - 1 {
                        let split = program.count
                        try append(.split(split + 1, -1))
                        try emit(branch)
                        jumps.append(program.count)
                        try append(.jump(-1))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        try emit(branch)
                    }
                }
                for jump in jumps { program[jump] = .jump(program.count) }
            case .repeated(let inner, let min, let max):
                for _ in 0..<min { try emit(inner) }
                if let max {
                    // Each optional copy may be skipped to the end.
                    var splits: [Int] = []
                    for _ in min..<max {
                        splits.append(program.count)
                        try append(.split(program.count + 1, -1))
                        try emit(inner)
                    }
                    for split in splits { program[split] = .split(split + 1, program.count) }
                } else {
                    let split = program.count
                    try append(.split(split + 1, -1))
                    try emit(inner)
                    try append(.jump(split))
                    program[split] = .split(split + 1, program.count)
                }
            }
        }
    }
}
