import Egress
import Testing

/// The policy as a pure function over parsed addresses: every special range is checked here, never by sending
/// traffic to it (PLATFORM-NOTES, outbound-traffic rule).
struct EgressPolicyTests {
    static let refused: [(String, String)] = [
        ("0.0.0.0", "unspecified"), ("0.1.2.3", "unspecified"), ("10.0.0.1", "private"), ("10.255.255.255", "private"),
        ("100.64.0.1", "shared address space"), ("100.127.255.254", "shared address space"),
        ("127.0.0.1", "loopback"), ("127.0.0.2", "loopback"), ("127.255.255.255", "loopback"),
        ("169.254.169.254", "link-local"), ("169.254.0.1", "link-local"), ("172.16.0.1", "private"),
        ("172.31.255.255", "private"), ("192.0.0.8", "IETF protocol assignments"), ("192.0.2.10", "documentation"),
        ("192.88.99.1", "6to4 relay anycast"), ("192.168.1.1", "private"), ("198.18.0.1", "benchmarking"),
        ("198.19.255.255", "benchmarking"), ("198.51.100.7", "documentation"), ("203.0.113.9", "documentation"),
        ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"), ("240.0.0.1", "reserved"),
        ("255.255.255.255", "broadcast"),
        ("::", "unspecified"), ("::1", "loopback"), ("fc00::1", "unique local (private)"), ("fd12:3456::1", "unique local (private)"),
        ("fe80::1", "link-local"), ("febf::1", "link-local"), ("fec0::1", "site-local"), ("ff02::1", "multicast"),
        ("ff05::1:3", "multicast"), ("2001:db8::1", "documentation"), ("100::1", "discard-only"), ("2001::1", "Teredo"),
        ("64:ff9b:1::1", "local-use NAT64"),
        // IPv4-mapped IPv6 is the IPv4 address itself.
        ("::ffff:127.0.0.1", "loopback"), ("::ffff:7f00:1", "loopback"), ("::ffff:169.254.169.254", "link-local"),
        ("::ffff:10.0.0.1", "private"), ("::ffff:0.0.0.0", "unspecified"),
        // NAT64, IPv4-compatible and 6to4 addresses of special IPv4 ranges.
        ("64:ff9b::127.0.0.1", "loopback (embedded in IPv6)"), ("64:ff9b::a9fe:a9fe", "link-local (embedded in IPv6)"),
        ("64:ff9b::192.168.0.1", "private (embedded in IPv6)"), ("::127.0.0.1", "loopback (embedded in IPv6)"),
        ("::10.1.1.1", "private (embedded in IPv6)"), ("2002:7f00:1::", "loopback (embedded in IPv6)"),
        ("2002:a9fe:a9fe::1", "link-local (embedded in IPv6)"),
    ]

    @Test(arguments: refused)
    func specialAddressesAreRefused(_ text: String, _ range: String) throws {
        let address = try #require(IPAddress(text), "\(text) parses")
        #expect(EgressPolicy.specialRange(of: address) == range)
        #expect(!EgressPolicy().permits(address))
    }

    @Test(arguments: ["93.184.216.34", "8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.0", "172.15.255.255",
                      "172.32.0.0", "192.169.0.1", "223.255.255.255", "11.0.0.0", "126.255.255.255", "128.0.0.0",
                      "169.253.255.255", "169.255.0.0", "198.17.255.255", "198.20.0.0",
                      "2606:4700:4700::1111", "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8",
                      "2002:808:808::1", "fbff:ffff::1", "fe7f::1", "2a00:1450::1"])
    func publicAddressesArePermitted(_ text: String) throws {
        let address = try #require(IPAddress(text))
        #expect(EgressPolicy.specialRange(of: address) == nil)
        #expect(EgressPolicy().permits(address))
    }

    /// Every spelling of 127.0.0.2 a URL parser or inet_aton accepts means the same address.
    @Test(arguments: ["127.0.0.2", "2130706434", "0x7f000002", "0177.0.0.2", "0x7f.0.0.2", "127.2", "127.0.2",
                      "0177.0.0.02", "0X7F.0X0.0X0.0X2", "017700000002"])
    func ipv4SpellingsParseAlike(_ text: String) throws {
        #expect(try #require(IPAddress(text)).description == "127.0.0.2")
    }

    @Test(arguments: ["256.0.0.1", "1.2.3.4.5", "08.0.0.1", "0x1g.0.0.1", "4294967296", "1..2.3", "", ".", "a.b.c.d",
                      "1.2.3.256", "1.2.65536", "example.com", "12345678901234567890123"])
    func invalidIPv4IsNotAnAddress(_ text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test(arguments: [("::", "::"), ("::1", "::1"), ("[::1]", "::1"), ("fe80::1%eth0", "fe80::1"),
                      ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
                      ("::ffff:1.2.3.4", "::ffff:102:304"), ("1::", "1::"), ("1:0:0:2:0:0:0:3", "1:0:0:2::3")])
    func ipv6ParsesAndPrintsCanonically(_ text: String, _ canonical: String) throws {
        #expect(try #require(IPAddress(text)).description == canonical)
    }

    @Test(arguments: [":::", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1::", "1:", "12345::", "g::1", "::1.2.3", "::1.2.3.04x",
                      "1:2:3:4:5:6:7:8::", "::0177.0.0.1"])
    func invalidIPv6IsNotAnAddress(_ text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func theAllowListOpensExactlyWhatItNames() throws {
        let policy = try EgressPolicy(allowList: " 127.0.0.1/32, fd00::/8 ,10.1.0.0/16")
        #expect(policy.permits(IPAddress("127.0.0.1")!))
        #expect(policy.permits(IPAddress("::ffff:127.0.0.1")!))  // the same destination
        #expect(!policy.permits(IPAddress("127.0.0.2")!))
        #expect(!policy.permits(IPAddress("2130706434")!))
        #expect(!policy.permits(IPAddress("::1")!))
        #expect(policy.permits(IPAddress("fd00::5")!))
        #expect(!policy.permits(IPAddress("fc00::5")!))
        #expect(policy.permits(IPAddress("10.1.200.3")!))
        #expect(!policy.permits(IPAddress("10.2.0.1")!))
        #expect(!policy.permits(IPAddress("169.254.169.254")!))
        #expect(policy.permits(IPAddress("8.8.8.8")!))
        #expect(try EgressPolicy(allowList: "").allowed.isEmpty)
        #expect(try EgressPolicy(allowList: "::1").permits(IPAddress("::1")!))
        #expect(IPNetwork("10.1.2.3/8")?.description == "10.0.0.0/8")
    }

    @Test(arguments: ["127.0.0.1/33", "::1/129", "localhost", "127.1/32", "10.0.0.0/", "10.0.0.0/x", "/8", "2130706433"])
    func aBadAllowListIsRefused(_ entry: String) {
        #expect(throws: EgressPolicyError.self) { try EgressPolicy(allowList: entry) }
    }

    @Test(arguments: [("http://2130706434/", "127.0.0.2"), ("http://127.0.0.1:8080/x", "127.0.0.1"),
                      ("https://user:pw@[::1]:443/", "::1"), ("http://[fe80::1%25eth0]/", "fe80::1"),
                      ("http://0x7f.1/", "127.0.0.1"), ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
                      ("http://127.0.0.1./", "127.0.0.1"), ("http://a@0177.0.0.1?x", "127.0.0.1"),
                      ("HTTP://[::ffff:10.0.0.1]", "::ffff:a00:1")])
    func literalHostsOfURLs(_ url: String, _ address: String) throws {
        #expect(try #require(IPAddress(literalHostOf: url)).description == address)
    }

    @Test(arguments: ["http://example.com/", "https://api.example.com:8443/v1", "http://localhost/", "not a url",
                      "http:///path", "http://[::1/"])
    func namedHostsAreNotLiterals(_ url: String) {
        #expect(IPAddress(literalHostOf: url) == nil)
    }
}
