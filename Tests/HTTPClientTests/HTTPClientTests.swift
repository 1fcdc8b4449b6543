import Foundation
import HTTPClient
import Testing

/// Serialized: each test blocks its thread on network I/O, and the cooperative pool here has two threads.
@Suite(.serialized) final class HTTPClientTests {
    let server: EchoServer

    init() throws {
        HTTPClient.globalInit()
        server = try EchoServer()
    }

    deinit { server.stop() }

    @Test func getSendsHeadersAndReturnsJSON() throws {
        let client = HTTPClient()
        let response = try client.send(HTTPRequest(url: server.baseURL + "/echo?x=1",
                                                   headers: [("X-Test", "yes"), ("Authorization", "Bearer k")]))
        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json")
        #expect(response.header("X-FIXTURE") == "echo")
        #expect(!response.bodyTruncated)
        let json = try echoed(response.body)
        #expect(json["method"] as? String == "GET")
        #expect(json["path"] as? String == "/echo?x=1")
        let headers = json["headers"] as? [String: String] ?? [:]
        #expect(headers["x-test"] == "yes")
        #expect(headers["authorization"] == "Bearer k")
        #expect(headers["expect"] == nil)
    }

    @Test func postSendsBinaryBodyExactly() throws {
        let client = HTTPClient()
        let body: [UInt8] = [0, 1, 2, 255, 0, 65]
        let response = try client.send(HTTPRequest(method: .post, url: server.baseURL + "/echo",
                                                   headers: [("Content-Type", "application/octet-stream")],
                                                   body: body))
        let json = try echoed(response.body)
        #expect(json["method"] as? String == "POST")
        #expect(json["body_length"] as? Int == body.count)
        #expect((json["headers"] as? [String: String])?["content-type"] == "application/octet-stream")
    }

    @Test func largePostIsNotDelayedByExpectContinue() throws {
        let client = HTTPClient()
        let body = [UInt8](repeating: UInt8(ascii: "a"), count: 200_000)
        let started = ContinuousClock.now
        let response = try client.send(HTTPRequest(method: .post, url: server.baseURL + "/echo", body: body))
        #expect(try echoed(response.body)["body_length"] as? Int == body.count)
        #expect(ContinuousClock.now - started < .milliseconds(900))
    }

    @Test func otherMethodsWithAndWithoutBody() throws {
        let client = HTTPClient()
        let put = try client.send(HTTPRequest(method: .put, url: server.baseURL + "/echo", body: Array("{}".utf8)))
        #expect(try echoed(put.body)["method"] as? String == "PUT")
        #expect(try echoed(put.body)["body"] as? String == "{}")
        let delete = try client.send(HTTPRequest(method: .delete, url: server.baseURL + "/echo"))
        #expect(try echoed(delete.body)["method"] as? String == "DELETE")
        let emptyPost = try client.send(HTTPRequest(method: .post, url: server.baseURL + "/echo"))
        #expect(try echoed(emptyPost.body)["body_length"] as? Int == 0)
        let head = try client.send(HTTPRequest(method: .head, url: server.baseURL + "/echo"))
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        // The GET after a POST on the same reused handle must not inherit the POST body or method.
        let get = try client.send(HTTPRequest(url: server.baseURL + "/echo"))
        #expect(try echoed(get.body)["method"] as? String == "GET")
        #expect(try echoed(get.body)["body_length"] as? Int == 0)
    }

    @Test(arguments: [200, 201, 400, 404, 418, 500, 503])
    func statusCodesAreResponsesNotErrors(status: Int) throws {
        let response = try HTTPClient().send(HTTPRequest(url: server.baseURL + "/status/\(status)"))
        #expect(response.status == status)
        #expect(response.bodyText == "status \(status)")
    }

    @Test func connectionRefusedIsCouldNotConnect() throws {
        let stopped = try EchoServer()
        stopped.stop()
        #expect {
            try HTTPClient().send(HTTPRequest(url: stopped.baseURL + "/echo"))
        } throws: { ($0 as? HTTPClientError)?.code == .couldNotConnect }
    }

    @Test func slowServerTimesOut() throws {
        let started = ContinuousClock.now
        #expect {
            try HTTPClient().send(HTTPRequest(url: server.baseURL + "/slow?ms=3000", timeout: .milliseconds(300)))
        } throws: { ($0 as? HTTPClientError)?.code == .timedOut }
        #expect(ContinuousClock.now - started < .milliseconds(2000))
    }

    @Test func unsafeRequestsAreRefused() throws {
        let client = HTTPClient()
        for request in [
            HTTPRequest(url: server.baseURL + "/echo", headers: [("X-Evil", "a\r\nX-Injected: 1")]),
            HTTPRequest(url: server.baseURL + "/echo", headers: [("Bad Name", "x")]),
            HTTPRequest(method: "GE T", url: server.baseURL + "/echo"),
            HTTPRequest(url: "file:///etc/passwd"),
            HTTPRequest(url: "gopher://127.0.0.1:\(server.port)/"),
        ] {
            #expect { try client.send(request) } throws: { ($0 as? HTTPClientError)?.code == .invalidRequest }
        }
        // The handle is still good afterwards.
        #expect(try client.send(HTTPRequest(url: server.baseURL + "/status/200")).status == 200)
    }

    @Test func bigBodyIsCutAtTheLimitAndTheClientStaysUsable() throws {
        let client = HTTPClient(maxBodyBytes: 1000)
        let response = try client.send(HTTPRequest(url: server.baseURL + "/big?bytes=500000"))
        #expect(response.status == 200)
        #expect(response.bodyTruncated)
        #expect(response.body.count == 1000)
        let small = try client.send(HTTPRequest(url: server.baseURL + "/big?bytes=10"))
        #expect(!small.bodyTruncated)
        #expect(small.body.count == 10)
    }

    @Test func streamDeliversChunksUntilTheServerEnds() throws {
        var received: [UInt8] = []
        var calls = 0
        let response = try HTTPClient().stream(HTTPRequest(url: server.baseURL + "/stream?chunks=5&interval_ms=5")) {
            received += $0
            calls += 1
            return true
        }
        #expect(response.status == 200)
        #expect(response.header("content-type") == "text/event-stream")
        #expect(String(decoding: received, as: UTF8.self)
            == (0..<5).map { "data: \($0)\n\n" }.joined())
        #expect(calls >= 1)
    }

    @Test func streamStopsWhenTheCallbackSaysSo() throws {
        var received = ""
        let started = ContinuousClock.now
        let client = HTTPClient()
        // chunks=0: the server would stream forever.
        let response = try client.stream(HTTPRequest(url: server.baseURL + "/stream?chunks=0&interval_ms=20")) {
            received += String(decoding: $0, as: UTF8.self)
            return !received.contains("data: 2\n\n")
        }
        #expect(response.status == 200)
        #expect(received.hasPrefix("data: 0\n\ndata: 1\n\ndata: 2\n\n"))
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(try client.send(HTTPRequest(url: server.baseURL + "/status/200")).status == 200)
    }

    @Test func streamOfAnErrorStatusReturnsTheBody() throws {
        var called = false
        let response = try HTTPClient().stream(HTTPRequest(url: server.baseURL + "/status/404")) { _ in
            called = true
            return true
        }
        #expect(response.status == 404)
        #expect(response.bodyText == "status 404")
        #expect(!called)
    }

    @Test func silentStreamHitsItsIdleTimeout() throws {
        #expect {
            try HTTPClient().stream(HTTPRequest(url: server.baseURL + "/slow?ms=4000"), idleTimeout: .seconds(1)) {
                _ in true
            }
        } throws: { ($0 as? HTTPClientError)?.code == .timedOut }
    }
}
