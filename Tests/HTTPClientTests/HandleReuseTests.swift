import Egress
import Foundation
@testable import HTTPClient
import Testing

/// A handle keeps the options of its last request when the next has the same shape (EasyHandle): nothing of one
/// request may reach the next (body, headers, URL, method, egress guard), whatever the order of shapes.
@Suite(.serialized) final class HandleReuseTests {
    let server: EchoServer

    init() throws {
        HTTPClient.globalInit()
        server = try EchoServer()
    }

    deinit { server.stop() }

    @Test func sameShapeRequestsEachSendOnlyTheirOwnBodyHeadersAndURL() throws {
        let client = HTTPClient()
        for (index, body) in ["a long first body, longer than the next ones", "second", "", "{\"n\":4}"].enumerated() {
            var headers: [(name: String, value: String)] = [("X-Index", "\(index)")]
            if index == 0 { headers.append(("X-Only-First", "yes")) }
            let response = try client.send(HTTPRequest(method: .post, url: server.baseURL + "/echo?i=\(index % 2)", headers: headers,
                                                       body: Array(body.utf8), timeout: .seconds(5 + index)))
            let json = try echoed(response.body)
            #expect(json["method"] as? String == "POST")
            #expect(json["path"] as? String == "/echo?i=\(index % 2)")
            #expect(json["body"] as? String == body)
            #expect(json["body_length"] as? Int == body.utf8.count)
            let sent = json["headers"] as? [String: String] ?? [:]
            #expect(sent["x-index"] == "\(index)")
            #expect(sent["x-only-first"] == (index == 0 ? "yes" : nil))
            #expect(sent["expect"] == nil)
        }
    }

    @Test func shapesAlternateWithoutLeavingOptionsBehind() throws {
        let client = HTTPClient()
        let url = server.baseURL + "/echo"
        let steps: [(HTTPMethod, String?)] = [(.post, "one"), (.put, "two"), (.put, "three"), (.get, nil), (.post, nil), (.post, "four"),
                                               (.delete, nil), (.patch, "five"), (.get, nil), (.get, nil)]
        for (method, body) in steps {
            let response = try client.send(HTTPRequest(method: method, url: url, body: body.map { Array($0.utf8) }))
            let json = try echoed(response.body)
            #expect(json["method"] as? String == method.rawValue)
            #expect(json["body_length"] as? Int == body?.utf8.count ?? 0)
            if let body { #expect(json["body"] as? String == body) }
        }
        // A stream and an upload in between: the next plain request is plain again.
        _ = try client.stream(HTTPRequest(url: url)) { _ in true }
        let bytes = Array("uploaded".utf8)
        var offset = 0
        _ = try client.upload(HTTPRequest(method: .put, url: url), length: Int64(bytes.count)) { room in
            let n = min(room.count, bytes.count - offset)
            room.copyBytes(from: bytes[offset..<(offset + n)])
            offset += n
            return n
        }
        let after = try client.send(HTTPRequest(method: .post, url: url, body: Array("last".utf8)))
        #expect(try echoed(after.body)["method"] as? String == "POST")
        #expect(try echoed(after.body)["body"] as? String == "last")
    }

    /// URLs go to libcurl parsed once per handle (EasyHandle.setURL): normalised as libcurl normalises them, and one
    /// libcurl refuses still fails as it did, without spoiling the next.
    @Test func urlsAreParsedAsLibcurlParsesThem() throws {
        let client = HTTPClient()
        let normalised = try client.send(HTTPRequest(url: "HTTP://127.0.0.1:\(server.port)/a/../echo?x=1"))
        #expect(try echoed(normalised.body)["path"] as? String == "/echo?x=1")
        for bad in ["http://", "http://127.0.0.1:99999/echo", "ftp://127.0.0.1:\(server.port)/"] {
            #expect { try client.send(HTTPRequest(url: bad)) } throws: { ($0 as? HTTPClientError)?.code == .invalidRequest }
            let good = try client.send(HTTPRequest(url: server.baseURL + "/echo?after=1"))
            #expect(try echoed(good.body)["path"] as? String == "/echo?after=1")
        }
    }

    /// The egress guard follows each request on one handle. Each refused or unguarded step uses a host name no
    /// earlier step connected to: libcurl reuses a kept-alive connection to the same name without opening a socket,
    /// so the guard is asked only about new connections (every request of a policy-bound client carries one policy).
    /// 127.0.0.2 is loopback with nothing listening (the server binds 127.0.0.1).
    @Test func theEgressGuardIsEachRequestsOwn() throws {
        let client = HTTPClient()
        let port = server.port
        #expect(try client.send(HTTPRequest(method: .post, url: "http://127.0.0.1:\(port)/echo", body: [1])).status == 200)
        // Guarded after an unguarded request of the same method and body: refused.
        let refused = #expect(throws: HTTPClientError.self) {
            try client.send(HTTPRequest(method: .post, url: "http://localhost:\(port)/echo", body: [2], egress: EgressPolicy()))
        }
        #expect(refused?.code == .egressDenied)
        // The same shape with another policy: this request's policy decides.
        let allowed = try EgressPolicy(allowList: "127.0.0.1/32")
        #expect(try client.send(HTTPRequest(method: .post, url: "http://localhost:\(port)/echo", body: [3], egress: allowed)).status == 200)
        let again = #expect(throws: HTTPClientError.self) {
            try client.send(HTTPRequest(method: .post, url: "http://127.0.0.2:\(port)/echo", body: [4], egress: allowed))
        }
        #expect(again?.code == .egressDenied)
        #expect(again?.message == "egress_denied: 127.0.0.2")
        // Unguarded again: the connection is attempted (nothing listens there), not refused by a policy left behind.
        let unguarded = #expect(throws: HTTPClientError.self) {
            try client.send(HTTPRequest(method: .post, url: "http://127.0.0.2:\(port)/echo", body: [5]))
        }
        #expect(unguarded?.code == .couldNotConnect)
        #expect(try client.send(HTTPRequest(method: .post, url: "http://127.0.0.1:\(port)/echo", body: [6])).status == 200)
    }

    /// A refused request leaves the handle usable, and the next request of the last good shape is sent whole.
    @Test func aRefusedRequestDoesNotSpoilTheNext() throws {
        let client = HTTPMultiClient<Int>(maxHostConnections: 2)
        let url = server.baseURL + "/echo"
        for round in 0..<3 {
            client.submit(HTTPRequest(method: .post, url: url, headers: [("X-Round", "\(round)")], body: Array("r\(round)".utf8)), id: round * 2)
            client.submit(HTTPRequest(method: .post, url: url, headers: [("Bad Name", "x")], body: [0]), id: round * 2 + 1)
            var results: [Int: Result<HTTPResponse, HTTPClientError>] = [:]
            let deadline = ContinuousClock.now + .seconds(10)
            while results.count < 2, ContinuousClock.now < deadline {
                for completion in client.poll(timeoutMilliseconds: 100) { results[completion.id] = completion.result }
            }
            let json = try echoed(try #require(try results[round * 2]?.get()).body)
            #expect(json["body"] as? String == "r\(round)")
            #expect((json["headers"] as? [String: String])?["x-round"] == "\(round)")
            #expect(throws: HTTPClientError.self) { try results[round * 2 + 1]?.get() }
        }
    }
}

/// When a handle keeps its options and when it starts again from curl_easy_reset (EasyHandle.requestsSinceReset):
/// kept between same-shape requests on a kept-alive connection, reset after a transfer that opened a connection or
/// failed, and at least every 32 requests (libcurl 7.88 carries its retry count over until a reset).
@Suite(.serialized) final class HandleResetTests {
    let server: EchoServer

    init() throws {
        HTTPClient.globalInit()
        server = try EchoServer()
    }

    deinit { server.stop() }

    @Test func optionsAreKeptOnlyWhileTransfersEndCleanlyOnKeptConnections() throws {
        let handle = EasyHandle()
        func send(_ url: String) -> Result<HTTPResponse, HTTPClientError> {
            do {
                try handle.prepare(HTTPRequest(method: .post, url: url, body: Array("x".utf8)), maxBodyBytes: 1 << 16)
            } catch {
                return .failure(error)
            }
            return handle.outcome(handle.perform())
        }
        let url = server.baseURL + "/echo"
        #expect((try? send(url).get())?.status == 200)  // opens the connection
        #expect(handle.requestsSinceReset == 1)
        #expect((try? send(url).get())?.status == 200)  // reset after the connect, then reuses the connection
        #expect(handle.requestsSinceReset == 1)
        for expected in 2...5 {
            #expect((try? send(url).get())?.status == 200)
            #expect(handle.requestsSinceReset == expected)
        }
        // A failed transfer of the same shape (nothing listens on 127.0.0.2): the next request starts afresh.
        #expect(throws: HTTPClientError.self) { try send("http://127.0.0.2:\(server.port)/echo").get() }
        #expect(handle.requestsSinceReset == 6)
        #expect((try? send(url).get())?.status == 200)
        #expect(handle.requestsSinceReset == 1)
        // Never more than 32 requests without a reset.
        var most = 0
        for _ in 0..<70 {
            #expect((try? send(url).get())?.status == 200)
            most = max(most, handle.requestsSinceReset)
        }
        #expect(most == 32)
    }
}
