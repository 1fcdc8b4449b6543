/// An address block in CIDR notation (`10.0.0.0/8`, `fc00::/7`); a bare address is a block of one.
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        // A block is written canonically: dotted decimal or IPv6 text, not inet_aton's shorthands.
        guard let address = IPAddress(String(parts[0])), !parts[0].isEmpty else { return nil }
        if !address.isIPv4 || parts[0].split(separator: ".").count == 4 {
            let maxLength = address.bytes.count * 8
            if parts.count == 2 {
                guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let length = Int(parts[1]),
                      length <= maxLength else { return nil }
                self.init(address, prefixLength: length)
            } else {
                self.init(address, prefixLength: maxLength)
            }
        } else {
            return nil
        }
    }

    /// Host bits beyond the prefix are cleared (`10.1.2.3/8` is `10.0.0.0/8`).
    public init(_ address: IPAddress, prefixLength: Int) {
        precondition((0...address.bytes.count * 8).contains(prefixLength))
        var bytes = address.bytes
        for i in bytes.indices {
            let keep = max(0, min(8, prefixLength - 8 * i))
            bytes[i] &= keep == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - keep))
        }
        self.address = IPAddress(bytes: bytes)!
        self.prefixLength = prefixLength
    }

    public func contains(_ other: IPAddress) -> Bool {
        guard other.bytes.count == address.bytes.count else { return false }
        return IPNetwork(other, prefixLength: prefixLength).address == address
    }

    public var description: String { "\(address)/\(prefixLength)" }
}
