/// Which addresses the schedulers may open connections to on a tenant's behalf (HTTP destinations). Everything
/// public is allowed; the special-purpose ranges (loopback, private, shared, link-local with the cloud metadata
/// address, multicast, unspecified, reserved, documentation, and their IPv6 counterparts and IPv4 embeddings) are
/// refused unless the administrator's allow-list (`SWEEP_EGRESS_ALLOW`, comma-separated CIDRs) names them.
/// Pure: the HTTP client asks it about each address libcurl resolved, just before connecting to it.
public struct EgressPolicy: Sendable {
    public let allowed: [IPNetwork]

    public init(allowed: [IPNetwork] = []) {
        self.allowed = allowed
    }

    /// Parses `SWEEP_EGRESS_ALLOW`: comma-separated CIDRs or addresses; blank means none.
    public init(allowList: String) throws(EgressPolicyError) {
        var networks: [IPNetwork] = []
        for item in allowList.split(separator: ",") {
            let text = item.trimmingCharacters(in: " \t")
            guard !text.isEmpty else { continue }
            guard let network = IPNetwork(text) else { throw EgressPolicyError(entry: text) }
            networks.append(network)
        }
        self.init(allowed: networks)
    }

    public func permits(_ address: IPAddress) -> Bool {
        let judged = address.unmappedIPv4 ?? address
        if allowed.contains(where: { $0.contains(judged) || $0.contains(address) }) { return true }
        return Self.specialRange(of: judged) == nil
    }

    /// The name of the special range an address falls in, or nil for an ordinary public address.
    public static func specialRange(of address: IPAddress) -> String? {
        if let v4 = address.unmappedIPv4 { return specialRange(of: v4) }
        for (network, name) in address.isIPv4 ? ipv4Special : ipv6Special where network.contains(address) {
            return name
        }
        // IPv6 forms that carry an IPv4 address a gateway would reach: judged by that address.
        if !address.isIPv4 {
            let b = address.bytes
            let embedded: IPAddress?
            if nat64.contains(address) || ipv4Compatible.contains(address) {
                embedded = IPAddress(bytes: Array(b[12..<16]))
            } else if sixToFour.contains(address) {
                embedded = IPAddress(bytes: Array(b[2..<6]))
            } else {
                embedded = nil
            }
            if let embedded, let name = specialRange(of: embedded) { return name + " (embedded in IPv6)" }
        }
        return nil
    }

    static let ipv4Special: [(IPNetwork, String)] = [
        ("0.0.0.0/8", "unspecified"), ("10.0.0.0/8", "private"), ("100.64.0.0/10", "shared address space"),
        ("127.0.0.0/8", "loopback"), ("169.254.0.0/16", "link-local"), ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "IETF protocol assignments"), ("192.0.2.0/24", "documentation"),
        ("192.88.99.0/24", "6to4 relay anycast"), ("192.168.0.0/16", "private"), ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation"), ("203.0.113.0/24", "documentation"), ("224.0.0.0/4", "multicast"),
        ("255.255.255.255/32", "broadcast"), ("240.0.0.0/4", "reserved"),
    ].map { (IPNetwork($0.0)!, $0.1) }

    static let ipv6Special: [(IPNetwork, String)] = [
        ("::/128", "unspecified"), ("::1/128", "loopback"), ("64:ff9b:1::/48", "local-use NAT64"),
        ("100::/64", "discard-only"), ("2001::/32", "Teredo"), ("2001:2::/48", "benchmarking"),
        ("2001:db8::/32", "documentation"), ("fc00::/7", "unique local (private)"), ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local"), ("ff00::/8", "multicast"),
    ].map { (IPNetwork($0.0)!, $0.1) }

    static let nat64 = IPNetwork("64:ff9b::/96")!
    static let ipv4Compatible = IPNetwork("::/96")!
    static let sixToFour = IPNetwork("2002::/16")!
}

public struct EgressPolicyError: Error, Sendable, CustomStringConvertible {
    public let entry: String
    public var description: String { "SWEEP_EGRESS_ALLOW: '\(entry)' is not an address or a CIDR block (e.g. 127.0.0.1/32, ::1/128)" }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = self
        while let c = s.first, set.contains(c) { s.removeFirst() }
        while let c = s.last, set.contains(c) { s.removeLast() }
        return String(s)
    }
}
