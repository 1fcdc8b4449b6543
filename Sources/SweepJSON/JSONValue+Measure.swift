extension JSONValue {
    /// How many containers deep the value nests, counted as `JSONParser` counts: a scalar is 0, `{}` is 1,
    /// `{"a": []}` is 2. A document parses with `maxDepth: d` exactly when its depth is at most d.
    public var nestingDepth: Int {
        switch self {
        case .array(let a): 1 + (a.lazy.map(\.nestingDepth).max() ?? 0)
        case .object(let o): 1 + (o.values.lazy.map(\.nestingDepth).max() ?? 0)
        default: 0
        }
    }

    /// The length of `jsonBytes` without building it, counting no further than just past `limit` (so a huge value
    /// costs no more than a small one once the answer is "too big"). Exact for everything but doubles, whose
    /// printed form is computed the way the serializer prints it.
    public func serializedSize(upTo limit: Int = .max) -> Int {
        var total = 0
        accumulateSize(&total, limit: limit)
        return total
    }

    private func accumulateSize(_ total: inout Int, limit: Int) {
        guard total <= limit else { return }
        switch self {
        case .null: total += 4
        case .bool(let b): total += b ? 4 : 5
        case .int(let i): total += String(i).utf8.count
        case .double(let d): total += JSONValue.format(d).utf8.count
        case .exactNumber(let n): total += n.canonicalText.utf8.count
        case .string(let s): total += JSONValue.escapedSize(s)
        case .array(let a):
            total += 2 + max(a.count - 1, 0)
            for element in a {
                element.accumulateSize(&total, limit: limit)
                if total > limit { return }
            }
        case .object(let o):
            total += 2 + max(o.count - 1, 0)
            for (key, value) in o {
                total += JSONValue.escapedSize(key) + 1
                value.accumulateSize(&total, limit: limit)
                if total > limit { return }
            }
        }
    }

    /// The size of `writeEscaped(s)`: quotes, two-byte escapes, six-byte `\u00XX` and `\u202X` escapes.
    static func escapedSize(_ s: String) -> Int {
        var size = 2
        let bytes = s.utf8
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x0A, 0x0D, 0x09: size += 2
            case 0..<0x20: size += 6
            case 0xE2:
                // U+2028 and U+2029 (E2 80 A8/A9) print as six-byte escapes instead of three bytes.
                let next = bytes.index(after: index)
                if next != bytes.endIndex, bytes[next] == 0x80 {
                    let third = bytes.index(after: next)
                    if third != bytes.endIndex, bytes[third] == 0xA8 || bytes[third] == 0xA9 {
                        size += 6
                        index = bytes.index(after: third)
                        continue
                    }
                }
                size += 1
            default: size += 1
            }
            index = bytes.index(after: index)
        }
        return size
    }
}
