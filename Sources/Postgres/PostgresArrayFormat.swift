/// One-dimensional array literals (`{"a","b \"q\"",NULL}`), the text form of `text[]` and `bigint[]`.
enum PostgresArrayFormat {
    /// Quotes every element, so commas, braces, spaces, quotes, backslashes and the word NULL are all data.
    static func format(_ elements: [String]) -> String {
        var out = "{"
        for (k, e) in elements.enumerated() {
            if k > 0 { out += "," }
            out += "\""
            for ch in e.unicodeScalars {
                if ch == "\"" || ch == "\\" { out += "\\" }
                out.unicodeScalars.append(ch)
            }
            out += "\""
        }
        out += "}"
        return out
    }

    enum ParseError: Error { case malformed(String) }

    /// Elements as raw UTF-8 bytes; nil for an unquoted NULL.
    static func parse(_ b: UnsafeBufferPointer<UInt8>) throws(ParseError) -> [[UInt8]?] {
        var i = 0
        // Arrays whose lower bound is not 1 print as `[0:2]={…}`; the bounds do not matter for a Swift array.
        if i < b.count, b[i] == UInt8(ascii: "[") {
            while i < b.count, b[i] != UInt8(ascii: "=") { i += 1 }
            i += 1
        }
        guard i < b.count, b[i] == UInt8(ascii: "{") else { throw .malformed("array does not start with {") }
        i += 1
        var result: [[UInt8]?] = []
        if i < b.count, b[i] == UInt8(ascii: "}") {
            guard i + 1 == b.count else { throw .malformed("text after }") }
            return result
        }
        while true {
            guard i < b.count else { throw .malformed("unterminated array") }
            if b[i] == UInt8(ascii: "{") { throw .malformed("multi-dimensional arrays are not supported") }
            if b[i] == UInt8(ascii: "\"") {
                i += 1
                var element: [UInt8] = []
                while true {
                    guard i < b.count else { throw .malformed("unterminated quoted element") }
                    let c = b[i]
                    if c == UInt8(ascii: "\"") {
                        i += 1
                        break
                    }
                    if c == UInt8(ascii: "\\") {
                        i += 1
                        guard i < b.count else { throw .malformed("dangling backslash") }
                    }
                    element.append(b[i])
                    i += 1
                }
                result.append(element)
            } else {
                let start = i
                while i < b.count, b[i] != UInt8(ascii: ","), b[i] != UInt8(ascii: "}") { i += 1 }
                let element = Array(b[start..<i])
                if element.count == 4, element.map({ $0 | 0x20 }) == Array("null".utf8) {
                    result.append(nil)
                } else {
                    result.append(element)
                }
            }
            guard i < b.count else { throw .malformed("unterminated array") }
            if b[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if b[i] == UInt8(ascii: "}") {
                guard i + 1 == b.count else { throw .malformed("text after }") }
                return result
            }
            throw .malformed("unexpected character in array")
        }
    }
}
