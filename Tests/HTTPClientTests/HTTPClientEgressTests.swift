import Egress
import HTTPClient
import Testing

/// The egress policy at connect time, against a real server on 127.0.0.1 (loopback only: PLATFORM-NOTES).
@Suite(.serialized) final class HTTPClientEgressTests {
    let server: EchoServer

    init() throws {
        HTTPClient.globalInit()
        server = try EchoServer()
    }

    deinit { server.stop() }

    @Test func aRefusedAddressFailsBeforeConnectingAndNamesTheAddress() throws {
        let client = HTTPClient()
        let error = #expect(throws: HTTPClientError.self) {
            try client.send(HTTPRequest(url: server.baseURL + "/echo", egress: EgressPolicy()))
        }
        #expect(error?.code == .egressDenied)
        #expect(error?.message == "egress_denied: 127.0.0.1")
    }

    @Test func theAllowListLetsTheSameRequestThrough() throws {
        let client = HTTPClient()
        let policy = try EgressPolicy(allowList: "127.0.0.1/32")
        #expect(try client.send(HTTPRequest(url: server.baseURL + "/echo", egress: policy)).status == 200)
    }

    /// A name is judged by what it resolves to: localhost is loopback, so it is refused without an allow-list and
    /// reaches the server through its permitted IPv4 address with one.
    @Test func namesAreJudgedByTheirAddresses() throws {
        let client = HTTPClient()
        let url = "http://localhost:\(server.port)/echo"
        let error = #expect(throws: HTTPClientError.self) { try client.send(HTTPRequest(url: url, egress: EgressPolicy())) }
        #expect(error?.code == .egressDenied)
        #expect(error?.message.hasPrefix("egress_denied: ") == true)
        let policy = try EgressPolicy(allowList: "127.0.0.1/32")
        #expect(try client.send(HTTPRequest(url: url, egress: policy)).status == 200)
    }
}
