import SweepJSON

/// Recursive-descent parser for the Python expression subset, following Python's precedence table:
/// conditional < or < and < not < comparisons < + - < * / // % < unary < ** < subscript/call.
/// Everything outside the subset is refused here, with a position, rather than at evaluation time, so a
/// workflow is rejected when it is submitted.
struct Parser {
    /// Longest source accepted, in Unicode scalars.
    static let maxSourceLength = 10_000
    /// Deepest nesting of brackets, parentheses and prefix operators; bounds the parser's own recursion.
    static let maxNesting = 100
    /// Tallest syntax tree; bounds the recursion of everything that walks it.
    static let maxTreeHeight = 200

    private static let reservedWords: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
        "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ]

    private let tokens: [Token]
    private var index = 0
    private var nesting = 0

    static func parse(_ source: String) throws(ExpressionError) -> Node {
        // Count cheaply first so a gigabyte of text is refused without being walked.
        guard source.utf8.count <= maxSourceLength || source.unicodeScalars.count <= maxSourceLength else {
            throw .limit("expression is longer than \(maxSourceLength) characters", at: maxSourceLength)
        }
        var parser = Parser(tokens: try Lexer.tokenize(source))
        return try parser.parseTopLevel()
    }

    private init(tokens: [Token]) {
        self.tokens = tokens
    }

    // MARK: Token helpers

    private var current: Token { tokens[index] }

    private func isOp(_ op: String) -> Bool {
        if case .op(let o) = current.kind { o == op } else { false }
    }

    private func isWord(_ word: String, offset: Int = 0) -> Bool {
        guard index + offset < tokens.count else { return false }
        if case .name(let n) = tokens[index + offset].kind { return n == word }
        return false
    }

    private var atEnd: Bool {
        if case .end = current.kind { true } else { false }
    }

    @discardableResult
    private mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private mutating func expect(_ op: String) throws(ExpressionError) {
        guard isOp(op) else { throw .syntax("expected '\(op)' but found \(current.display)", at: current.position) }
        advance()
    }

    private func unexpected() -> ExpressionError {
        .syntax("unexpected \(current.display)", at: current.position)
    }

    private mutating func enter() throws(ExpressionError) {
        nesting += 1
        guard nesting <= Parser.maxNesting else {
            throw .limit("expression is nested more than \(Parser.maxNesting) levels deep", at: current.position)
        }
    }

    private func make(_ kind: Node.Kind, at position: Int) throws(ExpressionError) -> Node {
        let node = Node(kind, at: position)
        guard node.height <= Parser.maxTreeHeight else {
            throw .limit("expression tree is deeper than \(Parser.maxTreeHeight) levels", at: position)
        }
        return node
    }

    // MARK: Grammar

    private mutating func parseTopLevel() throws(ExpressionError) -> Node {
        let start = current.position
        if atEnd { throw .syntax("empty expression", at: start) }
        let first = try parseExpression()
        var result = first
        if isOp(",") {
            // `1, 2` at the top is a tuple, which evaluates to a list.
            var elements = [first]
            while isOp(",") {
                advance()
                if atEnd { break }
                elements.append(try parseExpression())
            }
            result = try make(.list(elements), at: start)
        }
        guard atEnd else {
            if isOp("=") { throw .syntax("assignment is not allowed in an expression", at: current.position) }
            throw unexpected()
        }
        return result
    }

    /// Every nested sub-expression (in brackets, arguments, subscripts) enters here, so nesting is counted here.
    private mutating func parseExpression() throws(ExpressionError) -> Node {
        try enter()
        defer { nesting -= 1 }
        if isWord("lambda") { throw .syntax("lambda expressions are not allowed", at: current.position) }
        let body = try parseOr()
        if isOp(":=") { throw .syntax("assignment expressions (:=) are not allowed", at: current.position) }
        guard isWord("if") else { return body }
        advance()
        let test = try parseOr()
        guard isWord("else") else {
            throw .syntax("expected 'else' in conditional expression but found \(current.display)", at: current.position)
        }
        advance()
        let otherwise = try parseExpression()
        return try make(.conditional(test: test, then: body, otherwise: otherwise), at: body.position)
    }

    private mutating func parseOr() throws(ExpressionError) -> Node {
        let first = try parseAnd()
        guard isWord("or") else { return first }
        var operands = [first]
        while isWord("or") {
            advance()
            operands.append(try parseAnd())
        }
        return try make(.logical(.or, operands), at: first.position)
    }

    private mutating func parseAnd() throws(ExpressionError) -> Node {
        let first = try parseNot()
        guard isWord("and") else { return first }
        var operands = [first]
        while isWord("and") {
            advance()
            operands.append(try parseNot())
        }
        return try make(.logical(.and, operands), at: first.position)
    }

    private mutating func parseNot() throws(ExpressionError) -> Node {
        guard isWord("not") else { return try parseComparison() }
        let position = advance().position
        try enter()
        defer { nesting -= 1 }
        let operand = try parseNot()
        return try make(.unary(.not, operand), at: position)
    }

    private mutating func comparisonOperator() -> Node.ComparisonOperator? {
        if case .op(let o) = current.kind, let op = Node.ComparisonOperator(rawValue: o), !["in", "is"].contains(o) {
            advance()
            return op
        }
        if isWord("in") {
            advance()
            return .in
        }
        if isWord("not"), isWord("in", offset: 1) {
            advance()
            advance()
            return .notIn
        }
        if isWord("is") {
            advance()
            if isWord("not") {
                advance()
                return .isNot
            }
            return .is
        }
        return nil
    }

    private mutating func parseComparison() throws(ExpressionError) -> Node {
        let first = try parseArithmetic()
        var operators: [Node.ComparisonOperator] = []
        var operands: [Node] = []
        while let op = comparisonOperator() {
            operators.append(op)
            operands.append(try parseArithmetic())
        }
        if operators.isEmpty { return first }
        return try make(.compare(first, operators, operands), at: first.position)
    }

    private mutating func parseArithmetic() throws(ExpressionError) -> Node {
        var left = try parseTerm()
        while true {
            let op: Node.BinaryOperator
            if isOp("+") { op = .add } else if isOp("-") { op = .subtract } else { break }
            let position = advance().position
            left = try make(.binary(op, left, try parseTerm()), at: position)
        }
        // Bitwise operators sit between arithmetic and comparisons; we leave them out of the language.
        for refused in ["|", "&", "^", "<<", ">>"] where isOp(refused) {
            throw .syntax("operator '\(refused)' is not supported", at: current.position)
        }
        return left
    }

    private mutating func parseTerm() throws(ExpressionError) -> Node {
        var left = try parseFactor()
        while true {
            let op: Node.BinaryOperator
            if isOp("*") {
                op = .multiply
            } else if isOp("/") {
                op = .divide
            } else if isOp("//") {
                op = .floorDivide
            } else if isOp("%") {
                op = .modulo
            } else if isOp("@") {
                throw .syntax("operator '@' is not supported", at: current.position)
            } else {
                break
            }
            let position = advance().position
            left = try make(.binary(op, left, try parseFactor()), at: position)
        }
        return left
    }

    private mutating func parseFactor() throws(ExpressionError) -> Node {
        if isOp("~") { throw .syntax("operator '~' is not supported", at: current.position) }
        guard isOp("-") || isOp("+") else { return try parsePower() }
        let negate = isOp("-")
        let position = advance().position
        try enter()
        defer { nesting -= 1 }
        let operand = try parseFactor()
        // Fold `-5` into a constant so `x[-1]` is still a plain subscript path.
        if negate, case .literal(let value) = operand.kind {
            if case .int(let i) = value, case let (n, overflow) = Int64(0).subtractingReportingOverflow(i), !overflow {
                return try make(.literal(.int(n)), at: position)
            }
            if case .double(let d) = value { return try make(.literal(.double(-d)), at: position) }
        }
        return try make(.unary(negate ? .negate : .plus, operand), at: position)
    }

    private mutating func parsePower() throws(ExpressionError) -> Node {
        let base = try parsePostfix()
        guard isOp("**") else { return base }
        let position = advance().position
        try enter()
        defer { nesting -= 1 }
        // The exponent is a unary expression, so `2 ** -1` works and `**` is right-associative.
        let exponent = try parseFactor()
        return try make(.binary(.power, base, exponent), at: position)
    }

    private mutating func parsePostfix() throws(ExpressionError) -> Node {
        var node = try parseAtom()
        while true {
            if isOp("[") {
                let position = advance().position
                node = try parseSubscript(of: node, at: position)
            } else if isOp("(") {
                throw .syntax("only the built-in functions \(Builtin.allowedList) may be called", at: current.position)
            } else if isOp(".") {
                throw .syntax("attribute access is not allowed", at: current.position)
            } else {
                return node
            }
        }
    }

    private mutating func parseSubscript(of target: Node, at position: Int) throws(ExpressionError) -> Node {
        var lower: Node?
        if !isOp(":") {
            let index = try parseExpression()
            if isOp(",") { throw .syntax("tuple subscripts are not supported", at: current.position) }
            if isOp("]") {
                advance()
                return try make(.index(target, index: index), at: position)
            }
            lower = index
        }
        try expect(":")
        var upper: Node?
        var step: Node?
        if !isOp(":") && !isOp("]") { upper = try parseExpression() }
        if isOp(":") {
            advance()
            if !isOp("]") { step = try parseExpression() }
        }
        try expect("]")
        return try make(.slice(target, lower: lower, upper: upper, step: step), at: position)
    }

    private mutating func parseAtom() throws(ExpressionError) -> Node {
        let token = current
        switch token.kind {
        case .int(let value):
            advance()
            return try make(.literal(.int(value)), at: token.position)
        case .float(let value):
            advance()
            return try make(.literal(.double(value)), at: token.position)
        case .string(let first):
            // Adjacent literals concatenate, as in Python: 'a' 'b' == 'ab'.
            var text = first
            advance()
            while case .string(let next) = current.kind {
                text += next
                advance()
            }
            return try make(.literal(.string(text)), at: token.position)
        case .name(let name):
            return try parseName(name, at: token.position)
        case .op("("):
            return try parseParenthesized()
        case .op("["):
            return try parseList()
        case .op("{"):
            return try parseDict()
        case .op("*"), .op("**"):
            throw .syntax("starred expressions are not supported", at: token.position)
        case .end:
            throw .syntax("unexpected end of expression", at: token.position)
        default:
            throw unexpected()
        }
    }

    private mutating func parseName(_ name: String, at position: Int) throws(ExpressionError) -> Node {
        switch name {
        case "None": advance(); return try make(.literal(.null), at: position)
        case "True": advance(); return try make(.literal(.bool(true)), at: position)
        case "False": advance(); return try make(.literal(.bool(false)), at: position)
        case "lambda": throw .syntax("lambda expressions are not allowed", at: position)
        case "yield", "await": throw .syntax("'\(name)' is not allowed in an expression", at: position)
        default: break
        }
        if Parser.reservedWords.contains(name) { throw .syntax("unexpected keyword '\(name)'", at: position) }
        advance()
        guard isOp("(") else { return try make(.name(name), at: position) }
        guard let builtin = Builtin(rawValue: name) else {
            throw .syntax("calling '\(name)' is not allowed; only \(Builtin.allowedList) may be called", at: position)
        }
        advance()
        try enter()
        defer { nesting -= 1 }
        var arguments: [Node] = []
        while !isOp(")") {
            if isOp("*") || isOp("**") { throw .syntax("starred arguments are not supported", at: current.position) }
            if case .name = current.kind, index + 1 < tokens.count, case .op("=") = tokens[index + 1].kind {
                throw .syntax("keyword arguments are not supported", at: current.position)
            }
            arguments.append(try parseExpression())
            if isWord("for") { throw .syntax("generator expressions are not supported", at: current.position) }
            guard isOp(",") else { break }
            advance()
        }
        try expect(")")
        guard builtin.arity.contains(arguments.count) else {
            let expected = builtin.arity.lowerBound == builtin.arity.upperBound
                ? "\(builtin.arity.lowerBound)"
                : builtin.arity.upperBound == Int.max ? "at least \(builtin.arity.lowerBound)"
                : "\(builtin.arity.lowerBound) to \(builtin.arity.upperBound)"
            throw .syntax("\(name)() takes \(expected) argument(s) (\(arguments.count) given)", at: position)
        }
        return try make(.call(builtin, arguments), at: position)
    }

    private mutating func parseParenthesized() throws(ExpressionError) -> Node {
        let position = advance().position
        if isOp(")") {
            advance()
            return try make(.list([]), at: position)
        }
        let first = try parseExpression()
        if isWord("for") { throw .syntax("generator expressions are not supported", at: current.position) }
        if isOp(")") {
            advance()
            return first
        }
        guard isOp(",") else { throw unexpected() }
        var elements = [first]
        while isOp(",") {
            advance()
            if isOp(")") { break }
            elements.append(try parseExpression())
        }
        try expect(")")
        return try make(.list(elements), at: position)
    }

    private mutating func parseList() throws(ExpressionError) -> Node {
        let position = advance().position
        var elements: [Node] = []
        while !isOp("]") {
            if isOp("*") { throw .syntax("starred expressions are not supported", at: current.position) }
            elements.append(try parseExpression())
            if isWord("for") { throw .syntax("list comprehensions are not supported", at: current.position) }
            guard isOp(",") else { break }
            advance()
        }
        try expect("]")
        return try make(.list(elements), at: position)
    }

    private mutating func parseDict() throws(ExpressionError) -> Node {
        let position = advance().position
        var keys: [Node] = []
        var values: [Node] = []
        while !isOp("}") {
            if isOp("**") || isOp("*") { throw .syntax("unpacking in displays is not supported", at: current.position) }
            let key = try parseExpression()
            if isWord("for") { throw .syntax("set comprehensions are not supported", at: current.position) }
            guard isOp(":") else {
                if isOp(",") || isOp("}") { throw .syntax("set literals are not supported", at: key.position) }
                throw unexpected()
            }
            advance()
            let value = try parseExpression()
            if isWord("for") { throw .syntax("dict comprehensions are not supported", at: current.position) }
            keys.append(key)
            values.append(value)
            guard isOp(",") else { break }
            advance()
        }
        try expect("}")
        return try make(.dict(keys: keys, values: values), at: position)
    }
}
