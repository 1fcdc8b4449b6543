/// How deep JSON text nests, read without building its value.
public enum JSONDepth {
    /// The deepest bracket nesting of JSON text, brackets inside strings ignored. For well-formed text (a
    /// database's jsonb output) it is the depth `JSONParser` counts (`{}` is 1): a claim checks the stored input this
    /// way instead of parsing it into a tree that only the local executors need. For text that failed to parse it
    /// tells "too deep" from "not JSON" (`OutputAdmission`).
    public static func of(_ bytes: [UInt8]) -> Int {
        var depth = 0, deepest = 0
        var inString = false, escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
        return deepest
    }
}

extension JSONDepth {
    /// JSON's insignificant whitespace (RFC 8259: space, tab, line feed, carriage return).
    public static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
