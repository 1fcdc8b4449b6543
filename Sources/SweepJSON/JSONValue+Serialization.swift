extension JSONValue {
    /// Compact JSON text. Object keys are sorted so the same value always serializes to the same bytes.
    public var jsonString: String { String(decoding: jsonBytes, as: UTF8.self) }

    /// Compact JSON as UTF-8 bytes. Written into a byte buffer: appending to a String scalar by scalar can copy
    /// the string on each append, which made large documents quadratic.
    public var jsonBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        write(to: &out)
        return out
    }

    public func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let b): out.append(contentsOf: b ? Array("true".utf8) : Array("false".utf8))
        case .int(let i): JSONValue.writeInt(i, to: &out)
        case .double(let d): out.append(contentsOf: JSONValue.format(d).utf8)
        case .exactNumber(let n): n.write(to: &out)
        case .string(let s): JSONValue.writeEscaped(s, to: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, element) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                element.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            for (i, entry) in o.sorted(by: { $0.key < $1.key }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeEscaped(entry.key, to: &out)
                out.append(UInt8(ascii: ":"))
                entry.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// An integer's decimal digits, without a String per number (a 20,000-element list of numbers is a run's
    /// output, written on the way to its scatter's first replica).
    public static func writeInt(_ value: Int64, to out: inout [UInt8]) {
        guard value != .min else { out.append(contentsOf: String(value).utf8); return }
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var n = value.magnitude
        if n < 10 { out.append(UInt8(ascii: "0") + UInt8(n)); return }
        let start = out.count
        while n > 0 {
            out.append(UInt8(ascii: "0") + UInt8(n % 10))
            n /= 10
        }
        out[start...].reverse()
    }

    /// Doubles print as JSON numbers; non-finite values (which JSON cannot hold) become null.
    static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e16 { return String(Int64(d)) + ".0" }
        return String(d)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A JSON string literal. Works on UTF-8 bytes: multi-byte sequences pass through untouched; control
    /// characters and U+2028/U+2029 (which break JavaScript embedding) are escaped.
    public static func writeEscaped(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { writeEscaped(utf8: $0, to: &out) }
    }

    /// A JSON string literal of UTF-8 text given as bytes (a database cell read in place).
    public static func writeEscaped(utf8 bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Runs of bytes that need no escape are copied whole: a byte at a time was most of this function's cost
        // (it writes every id, name and token of every task call's body).
        var plain = 0
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0xE2 else {
                i += 1
                continue
            }
            if plain < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plain..<i])) }
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
            case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
                out.append(contentsOf: Array("\\u202".utf8))
                out.append(bytes[i + 2] == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9"))
                i += 2
            default: out.append(byte)
            }
            i += 1
            plain = i
        }
        if plain < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plain...])) }
        out.append(UInt8(ascii: "\""))
    }

    /// For callers building text.
    public static func writeEscaped(_ s: String, to text: inout String) {
        var bytes: [UInt8] = []
        writeEscaped(s, to: &bytes)
        text += String(decoding: bytes, as: UTF8.self)
    }
}
