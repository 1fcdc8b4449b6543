/// Splits source text into tokens following Python's lexical rules for the parts of the language we accept
/// (numbers, quoted strings, names, operators). Works on Unicode scalars so positions match Python's columns.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var tokens: [Token] = []

    static func tokenize(_ source: String) throws(ExpressionError) -> [Token] {
        var lexer = Lexer(scalars: Array(source.unicodeScalars))
        try lexer.run()
        return lexer.tokens
    }

    private init(scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    private static let twoCharacterOperators: Set<String> = ["**", "//", "==", "!=", "<=", ">=", ":=", "<<", ">>", "->"]
    // Operators we refuse (`|`, `@`, `;`…) are still tokens so the parser can name them in its message.
    private static let oneCharacterOperators: Set<Unicode.Scalar> = [
        "+", "-", "*", "/", "%", "<", ">", "(", ")", "[", "]", "{", "}", ",", ":", ".", "=", "|", "&", "^", "~", "@", ";", "!",
    ]

    private mutating func run() throws(ExpressionError) {
        while true {
            skipTrivia()
            guard index < scalars.count else {
                tokens.append(Token(kind: .end, position: index))
                return
            }
            let start = index
            let c = scalars[index]
            if Lexer.isDigit(c) || (c == "." && index + 1 < scalars.count && Lexer.isDigit(scalars[index + 1])) {
                tokens.append(Token(kind: try number(), position: start))
            } else if c == "'" || c == "\"" {
                tokens.append(Token(kind: .string(try string(raw: false)), position: start))
            } else if c == "_" || c.properties.isXIDStart {
                let word = identifier()
                if index < scalars.count, scalars[index] == "'" || scalars[index] == "\"" {
                    tokens.append(Token(kind: .string(try prefixedString(prefix: word, at: start)), position: start))
                } else {
                    tokens.append(Token(kind: .name(word), position: start))
                }
            } else if index + 1 < scalars.count, case let pair = String(String.UnicodeScalarView([c, scalars[index + 1]])),
                Lexer.twoCharacterOperators.contains(pair)
            {
                index += 2
                tokens.append(Token(kind: .op(pair), position: start))
            } else if Lexer.oneCharacterOperators.contains(c) {
                index += 1
                tokens.append(Token(kind: .op(String(c)), position: start))
            } else {
                throw .syntax("unexpected character '\(c.escaped(asASCII: true))'", at: start)
            }
        }
    }

    /// Whitespace (newlines included: an expression string has no statements to separate), comments and
    /// backslash line continuations.
    private mutating func skipTrivia() {
        while index < scalars.count {
            switch scalars[index] {
            case " ", "\t", "\n", "\r", "\u{0C}":
                index += 1
            case "#":
                while index < scalars.count, scalars[index] != "\n" { index += 1 }
            case "\\" where index + 1 < scalars.count && scalars[index + 1] == "\n":
                index += 2
            default:
                return
            }
        }
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }

    private mutating func identifier() -> String {
        var word = String.UnicodeScalarView()
        while index < scalars.count, scalars[index] == "_" || scalars[index].properties.isXIDContinue {
            word.append(scalars[index])
            index += 1
        }
        return String(word)
    }

    private mutating func digits(into text: inout String) {
        // Underscores group digits (`1_000`); they carry no value.
        while index < scalars.count, Lexer.isDigit(scalars[index]) || scalars[index] == "_" {
            if scalars[index] != "_" { text.unicodeScalars.append(scalars[index]) }
            index += 1
        }
    }

    private mutating func number() throws(ExpressionError) -> Token.Kind {
        let start = index
        if scalars[index] == "0", index + 1 < scalars.count,
            let radix = ["x": 16, "X": 16, "o": 8, "O": 8, "b": 2, "B": 2][scalars[index + 1]]
        {
            index += 2
            var text = ""
            while index < scalars.count, scalars[index] == "_" || scalars[index].properties.isXIDContinue {
                if scalars[index] != "_" { text.unicodeScalars.append(scalars[index]) }
                index += 1
            }
            guard !text.isEmpty, text.unicodeScalars.allSatisfy({ $0.isASCII && Int(String($0), radix: radix) != nil })
            else { throw .syntax("invalid base-\(radix) integer literal", at: start) }
            guard let value = Int64(text, radix: radix) else { throw .limit("integer literal is too large", at: start) }
            return .int(value)
        }
        var text = ""
        var isFloat = false
        digits(into: &text)
        if index < scalars.count, scalars[index] == "." {
            isFloat = true
            index += 1
            text += "."
            digits(into: &text)
        }
        if index < scalars.count, scalars[index] == "e" || scalars[index] == "E" {
            isFloat = true
            index += 1
            text += "e"
            if index < scalars.count, scalars[index] == "+" || scalars[index] == "-" {
                text.unicodeScalars.append(scalars[index])
                index += 1
            }
            guard index < scalars.count, Lexer.isDigit(scalars[index]) else { throw .syntax("invalid float literal", at: start) }
            digits(into: &text)
        }
        if index < scalars.count, scalars[index] == "j" || scalars[index] == "J" {
            throw .syntax("complex numbers are not supported", at: start)
        }
        if index < scalars.count, scalars[index] == "_" || scalars[index].properties.isXIDContinue {
            throw .syntax("invalid decimal literal", at: start)
        }
        if isFloat {
            // Python accepts `1.`, `.5` and `1.e3`; give Swift's parser the digits it wants around the point.
            if text.hasPrefix(".") { text = "0" + text }
            if let point = text.firstIndex(of: "."), text.index(after: point) < text.endIndex, text[text.index(after: point)] == "e" {
                text.insert("0", at: text.index(after: point))
            }
            if text.hasSuffix(".") { text += "0" }
            guard let value = Double(text) else { throw .syntax("invalid float literal", at: start) }
            return .float(value)
        }
        if text.count > 1, text.hasPrefix("0"), text.contains(where: { $0 != "0" }) {
            throw .syntax("leading zeros in decimal integer literals are not permitted", at: start)
        }
        guard let value = Int64(text) else { throw .limit("integer literal is too large", at: start) }
        return .int(value)
    }

    private mutating func prefixedString(prefix: String, at start: Int) throws(ExpressionError) -> String {
        switch prefix.lowercased() {
        case "r": return try string(raw: true)
        case "u": return try string(raw: false)
        case "f", "rf", "fr": throw .syntax("f-strings are not supported", at: start)
        case "b", "rb", "br": throw .syntax("bytes literals are not supported", at: start)
        default: throw .syntax("invalid string prefix '\(prefix)'", at: start)
        }
    }

    private func startsTripleQuote(_ quote: Unicode.Scalar, at i: Int) -> Bool {
        i + 2 < scalars.count && scalars[i] == quote && scalars[i + 1] == quote && scalars[i + 2] == quote
    }

    private mutating func string(raw: Bool) throws(ExpressionError) -> String {
        let start = index
        let quote = scalars[index]
        let triple = startsTripleQuote(quote, at: index)
        index += triple ? 3 : 1
        var out = String.UnicodeScalarView()
        while true {
            guard index < scalars.count else { throw .syntax("unterminated string literal", at: start) }
            let c = scalars[index]
            if c == quote {
                if !triple {
                    index += 1
                    break
                }
                if startsTripleQuote(quote, at: index) {
                    index += 3
                    break
                }
            }
            if !triple, c == "\n" || c == "\r" { throw .syntax("unterminated string literal", at: start) }
            guard c == "\\" else {
                out.append(c)
                index += 1
                continue
            }
            guard index + 1 < scalars.count else { throw .syntax("unterminated string literal", at: start) }
            let e = scalars[index + 1]
            let escapeStart = index
            index += 2
            if raw {
                // In a raw string the backslash stays, but still keeps the next quote from ending the literal.
                out.append(c)
                out.append(e)
                continue
            }
            switch e {
            case "\n": break
            case "\\", "'", "\"": out.append(e)
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "v": out.append("\u{0B}")
            case "0"..."7":
                var value = e.value - 48
                var count = 1
                while count < 3, index < scalars.count, ("0"..."7").contains(scalars[index]) {
                    value = value * 8 + scalars[index].value - 48
                    index += 1
                    count += 1
                }
                out.append(Unicode.Scalar(value)!)  // at most 0o777, always a valid scalar
            case "x": out.append(try hexEscape(digits: 2, at: escapeStart))
            case "u": out.append(try hexEscape(digits: 4, at: escapeStart))
            case "U": out.append(try hexEscape(digits: 8, at: escapeStart))
            case "N": throw .syntax("named unicode escapes (\\N{...}) are not supported", at: escapeStart)
            default:
                // Python keeps unknown escapes as written.
                out.append(c)
                out.append(e)
            }
        }
        return String(out)
    }

    private mutating func hexEscape(digits: Int, at start: Int) throws(ExpressionError) -> Unicode.Scalar {
        guard index + digits <= scalars.count else { throw .syntax("truncated \\x, \\u or \\U escape", at: start) }
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard scalars[index].isASCII, let digit = UInt32(String(scalars[index]), radix: 16) else { throw .syntax("truncated \\x, \\u or \\U escape", at: start) }
            value = value * 16 + digit
            index += 1
        }
        guard let scalar = Unicode.Scalar(value) else { throw .syntax("invalid code point in escape", at: start) }
        return scalar
    }
}
