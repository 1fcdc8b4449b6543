/// A strict RFC 8259 parser over UTF-8 bytes, bounded in nesting depth so a hostile body cannot exhaust the stack.
public struct JSONParser {
    public static let defaultMaxDepth = 128

    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw JSONParseError("unexpected data after the document", offset: parser.index) }
        return value
    }

    private let bytes: [UInt8]
    private let maxDepth: Int
    private var index = 0

    private init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw JSONParseError("unexpected end of input", offset: index) }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw JSONParseError("unexpected character", offset: index)
        }
    }

    private mutating func expectLiteral(_ word: String) throws(JSONParseError) {
        let expected = Array(word.utf8)
        guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw JSONParseError("invalid literal", offset: index)
        }
        index += expected.count
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw JSONParseError("nesting deeper than \(maxDepth)", offset: index) }
        index += 1
        var object: [String: JSONValue] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(object) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw JSONParseError("expected a string key", offset: index) }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw JSONParseError("expected ':'", offset: index) }
            index += 1
            skipWhitespace()
            object[key] = try parseValue(depth: depth)
            skipWhitespace()
            guard index < bytes.count else { throw JSONParseError("unexpected end of input", offset: index) }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(object) }
            throw JSONParseError("expected ',' or '}'", offset: index)
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw JSONParseError("nesting deeper than \(maxDepth)", offset: index) }
        index += 1
        var array: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(array) }
        while true {
            skipWhitespace()
            array.append(try parseValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw JSONParseError("unexpected end of input", offset: index) }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(array) }
            throw JSONParseError("expected ',' or ']'", offset: index)
        }
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        index += 1  // opening quote
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw JSONParseError("unterminated string", offset: index) }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { index += 1; break }
            if byte < 0x20 { throw JSONParseError("control character in string", offset: index) }
            if byte != UInt8(ascii: "\\") { out.append(byte); index += 1; continue }
            index += 1
            guard index < bytes.count else { throw JSONParseError("unterminated escape", offset: index) }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw JSONParseError("unpaired surrogate", offset: index)
                    }
                    index += 2
                    let low = try parseHex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw JSONParseError("unpaired surrogate", offset: index) }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw JSONParseError("unpaired surrogate", offset: index)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw JSONParseError("invalid code point", offset: index) }
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                throw JSONParseError("invalid escape", offset: index - 1)
            }
        }
        guard let string = String(validating: out, as: UTF8.self) else { throw JSONParseError("invalid UTF-8 in string", offset: index) }
        return string
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw JSONParseError("short \\u escape", offset: index) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw JSONParseError("invalid hex digit", offset: index)
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    /// A number as `.int` when Int64 holds it; as `.double` when it has at most 17 significant digits within
    /// Double's normal range (every Double prints in 17 digits, so a Double is how any JSON reader with doubles,
    /// JavaScript or Python's json, reads such a literal) or when the Double's shortest form is the same number;
    /// otherwise as `.exactNumber` (the literal kept; see `ExactNumber`). Ordinary numbers take no work beyond
    /// counting their digits: only longer or out-of-range literals are compared, which formats their Double once.
    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        var isInteger = true
        // Digits of the mantissa from the first non-zero one on. Trailing zeros count too: an upper bound of the
        // significant digits, which only sends a few more literals down the careful path.
        var significantDigits = 0
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw JSONParseError("invalid number", offset: index) }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw JSONParseError("leading zero in number", offset: index) }
        } else {
            let digitsStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            significantDigits = index - digitsStart
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw JSONParseError("invalid fraction", offset: index) }
            let fractionStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            if significantDigits > 0 {
                significantDigits += index - fractionStart
            } else {
                // "0.00123": the zeros after the point are not significant.
                var first = fractionStart
                while first < index, bytes[first] == UInt8(ascii: "0") { first += 1 }
                significantDigits = index - first
            }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw JSONParseError("invalid exponent", offset: index) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger {
            if let int = Int64(text) { return .int(int) }
            return try exact(text, at: start)
        }
        let double = Double(text) ?? .nan
        if significantDigits <= 17, double.isNormal || (significantDigits == 0 && double == 0) { return .double(double) }
        return try rare(text, double, at: start)
    }

    /// Out of line, so the common path above stays small enough to inline.
    @inline(never)
    private func rare(_ text: String, _ double: Double, at start: Int) throws(JSONParseError) -> JSONValue {
        if double.isFinite, ExactNumber(validatedLiteral: String(double)) == ExactNumber(validatedLiteral: text) {
            return .double(double)
        }
        return try exact(text, at: start)
    }

    @inline(never)
    private func exact(_ text: String, at start: Int) throws(JSONParseError) -> JSONValue {
        guard ExactNumber.isStorable(text) else { throw JSONParseError(JSONParseError.numberOutOfRange, offset: start) }
        return .exactNumber(ExactNumber(validatedLiteral: text))
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
