/// An IPv4 (4 bytes) or IPv6 (16 bytes) address, parsed from the spellings a URL or a resolver may produce.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    public var isIPv4: Bool { bytes.count == 4 }

    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`): the same destination, so the policy
    /// judges it as IPv4.
    public var unmappedIPv4: IPAddress? {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff else { return nil }
        return IPAddress(bytes: Array(bytes[12..<16]))
    }

    /// Dotted IPv4 or compressed IPv6 (RFC 5952: longest run of two or more zero groups as `::`, lower case).
    public var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        let groups = (0..<8).map { Int(bytes[2 * $0]) << 8 | Int(bytes[2 * $0 + 1]) }
        var best = (start: -1, length: 0)
        var run = (start: -1, length: 0)
        for (i, g) in groups.enumerated() {
            if g == 0 {
                run = run.start < 0 ? (i, 1) : (run.start, run.length + 1)
                if run.length > best.length { best = run }
            } else {
                run = (-1, 0)
            }
        }
        func hex(_ range: Range<Int>) -> String { groups[range].map { String($0, radix: 16) }.joined(separator: ":") }
        guard best.length >= 2 else { return hex(0..<8) }
        return hex(0..<best.start) + "::" + hex((best.start + best.length)..<8)
    }

    /// A textual address: IPv6 (optionally in brackets, with a `%zone` that is ignored) or IPv4 in any form
    /// `inet_aton` and URL parsers accept: `127.0.0.1`, `2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`.
    public init?(_ text: String) {
        var text = Substring(text)
        if text.hasPrefix("[") && text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if text.contains(":") {
            if let percent = text.firstIndex(of: "%") { text = text[..<percent] }
            guard let bytes = Self.parseIPv6(text) else { return nil }
            self.bytes = bytes
        } else {
            guard let bytes = Self.parseIPv4(text, strict: false) else { return nil }
            self.bytes = bytes
        }
    }

    /// The address a URL's host names literally, or nil when the host is a name to resolve. A trailing dot is
    /// ignored (`127.0.0.1.` is still loopback to a resolver).
    public init?(literalHostOf url: String) {
        guard let scheme = url.firstRange(of: "://") else { return nil }
        var rest = url[scheme.upperBound...]
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" || $0 == "\\" }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        var host: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            if let zone = host.firstRange(of: "%25") { host = host[..<zone.lowerBound] }
        } else {
            host = rest
            if let colon = host.firstIndex(of: ":") { host = host[..<colon] }
            if host.hasSuffix(".") { host = host.dropLast() }
        }
        guard !host.isEmpty else { return nil }
        self.init(String(host))
    }

    // MARK: Parsing

    /// inet_aton's grammar: one to four parts, each decimal, octal (leading 0) or hex (0x); the last part fills the
    /// remaining bytes. `strict` accepts only four decimal parts (the tail of an IPv6 address).
    static func parseIPv4(_ text: Substring, strict: Bool) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (strict ? 4...4 : 1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 32 else { return nil }
            let lower = part.lowercased()
            let value: UInt64?
            if strict {
                value = lower.allSatisfy(\.isASCIIDigit) && lower.count <= 3 ? UInt64(lower) : nil
            } else if lower.hasPrefix("0x") {
                let digits = lower.dropFirst(2)
                value = digits.isEmpty ? 0 : (digits.allSatisfy(\.isHexDigit) ? UInt64(digits, radix: 16) : nil)
            } else if lower.count > 1 && lower.hasPrefix("0") {
                value = lower.allSatisfy({ ("0"..."7").contains($0) }) ? UInt64(lower, radix: 8) : nil
            } else {
                value = lower.allSatisfy(\.isASCIIDigit) ? UInt64(lower) : nil
            }
            guard let value else { return nil }
            values.append(value)
        }
        // Every part but the last is one byte; the last fills what is left.
        let lastBits = 8 * (5 - values.count)
        guard values.dropLast().allSatisfy({ $0 <= 0xff }), values.last! < (UInt64(1) << lastBits) else { return nil }
        var number: UInt64 = values.last!
        for (i, v) in values.dropLast().enumerated() { number |= v << (24 - 8 * i) }
        return [UInt8(number >> 24 & 0xff), UInt8(number >> 16 & 0xff), UInt8(number >> 8 & 0xff), UInt8(number & 0xff)]
    }

    /// RFC 4291 text: up to eight groups of 1-4 hex digits, one `::`, optionally a dotted IPv4 tail.
    static func parseIPv6(_ text: Substring) -> [UInt8]? {
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        var rest = text
        if rest.hasPrefix("::") {
            sawGap = true
            rest = rest.dropFirst(2)
        } else if rest.hasPrefix(":") {
            return nil
        }
        while !rest.isEmpty {
            let end = rest.firstIndex(of: ":") ?? rest.endIndex
            let group = rest[..<end]
            if group.contains(".") {
                // An IPv4 tail ends the address.
                guard end == rest.endIndex, let v4 = parseIPv4(group, strict: true) else { return nil }
                let words = [UInt16(v4[0]) << 8 | UInt16(v4[1]), UInt16(v4[2]) << 8 | UInt16(v4[3])]
                if sawGap { tail += words } else { head += words }
                rest = rest[end...]
                break
            }
            guard (1...4).contains(group.count), group.allSatisfy(\.isHexDigit), let word = UInt16(group, radix: 16) else { return nil }
            if sawGap { tail.append(word) } else { head.append(word) }
            rest = rest[end...]
            if rest.hasPrefix("::") {
                guard !sawGap else { return nil }
                sawGap = true
                rest = rest.dropFirst(2)
            } else if rest.hasPrefix(":") {
                rest = rest.dropFirst()
                guard !rest.isEmpty else { return nil }  // a trailing single colon
            }
        }
        let count = head.count + tail.count
        guard sawGap ? count <= 7 : count == 8 else { return nil }
        let words = head + Array(repeating: 0, count: 8 - count) + tail
        return words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
