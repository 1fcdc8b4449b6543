import Foundation
import HTTPClient
import Testing

@Suite(.serialized) final class HTTPMultiClientTests {
    let server: EchoServer

    init() throws {
        HTTPClient.globalInit()
        server = try EchoServer()
    }

    deinit { server.stop() }

    /// Polls until `count` completions arrived or `limit` passed.
    private func collect<ID>(_ client: HTTPMultiClient<ID>, count: Int, limit: Duration = .seconds(20))
        -> [ID: Result<HTTPResponse, HTTPClientError>] {
        var results: [ID: Result<HTTPResponse, HTTPClientError>] = [:]
        let deadline = ContinuousClock.now + limit
        while results.count < count && ContinuousClock.now < deadline {
            for (id, result) in client.poll(timeoutMilliseconds: 100) { results[id] = result }
        }
        return results
    }

    @Test func twoHundredConcurrentPostsAllAnsweredCorrectly() throws {
        let client = HTTPMultiClient<Int>(maxHostConnections: 32)
        for id in 0..<200 {
            client.submit(HTTPRequest(method: .post, url: server.baseURL + "/echo/\(id)",
                                      headers: [("X-Id", "\(id)")], body: Array("request \(id)".utf8)), id: id)
        }
        #expect(client.inFlightCount == 200)
        let results = collect(client, count: 200)
        #expect(results.count == 200)
        for (id, result) in results {
            let response = try result.get()
            let json = try echoed(response.body)
            #expect(response.status == 200)
            #expect(json["path"] as? String == "/echo/\(id)")
            #expect(json["body"] as? String == "request \(id)")
            #expect((json["headers"] as? [String: String])?["x-id"] == "\(id)")
        }
        #expect(client.inFlightCount == 0)
    }

    @Test func handlesAreReusedForSuccessiveBatches() throws {
        let client = HTTPMultiClient<String>(maxHostConnections: 4)
        for batch in 0..<3 {
            for index in 0..<20 { client.submit(HTTPRequest(url: server.baseURL + "/status/201"), id: "\(batch)-\(index)") }
            let results = collect(client, count: 20)
            #expect(results.count == 20)
            #expect(results.values.allSatisfy { (try? $0.get().status) == 201 })
        }
    }

    @Test func cancelAbortsAnInFlightRequestPromptly() throws {
        let client = HTTPMultiClient<Int>()
        client.submit(HTTPRequest(url: server.baseURL + "/slow?ms=5000"), id: 1)
        client.submit(HTTPRequest(url: server.baseURL + "/echo"), id: 2)
        let first = collect(client, count: 1)
        #expect(first.keys.sorted() == [2])  // the slow one is surely in flight by now

        let started = ContinuousClock.now
        #expect(client.cancel(1))
        #expect(!client.cancel(1))
        let cancelled = client.poll(timeoutMilliseconds: 1000)
        #expect(ContinuousClock.now - started < .milliseconds(200))
        #expect(cancelled.count == 1)
        #expect(cancelled.first?.id == 1)
        if case .failure(let error)? = cancelled.first?.result {
            #expect(error.code == .aborted)
        } else {
            Issue.record("expected .aborted, got \(String(describing: cancelled.first?.result))")
        }
        #expect(client.inFlightCount == 0)
    }

    @Test func remoteCancelFromAnotherThreadWakesABlockedPoll() throws {
        let client = HTTPMultiClient<Int>()
        client.submit(HTTPRequest(url: server.baseURL + "/slow?ms=5000"), id: 7)
        _ = client.poll(timeoutMilliseconds: 50)
        let remote = client.remote
        let thread = Thread { Thread.sleep(forTimeInterval: 0.2); remote.cancel(7) }  // simulated later cancel
        thread.start()
        let started = ContinuousClock.now
        let results = client.poll(timeoutMilliseconds: 4000)
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(results.first?.id == 7)
        #expect((try? results.first?.result.get()) == nil)
    }

    @Test func wakeUpReturnsAnIdlePoll() throws {
        let client = HTTPMultiClient<Int>()
        let remote = client.remote
        let thread = Thread { Thread.sleep(forTimeInterval: 0.2); remote.wakeUp() }
        thread.start()
        let started = ContinuousClock.now
        #expect(client.poll(timeoutMilliseconds: 5000).isEmpty)
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func failuresComeBackThroughPoll() throws {
        let stopped = try EchoServer()
        stopped.stop()
        let client = HTTPMultiClient<String>(maxBodyBytes: 100)
        client.submit(HTTPRequest(url: stopped.baseURL + "/echo"), id: "refused")
        client.submit(HTTPRequest(url: "file:///etc/passwd"), id: "invalid")
        client.submit(HTTPRequest(url: server.baseURL + "/slow?ms=3000", timeout: .milliseconds(200)), id: "slow")
        client.submit(HTTPRequest(url: server.baseURL + "/big?bytes=100000"), id: "big")
        let results = collect(client, count: 4)
        func code(_ id: String) -> HTTPClientError.Code? {
            if case .failure(let error)? = results[id] { return error.code }
            return nil
        }
        #expect(code("refused") == .couldNotConnect)
        #expect(code("invalid") == .invalidRequest)
        #expect(code("slow") == .timedOut)
        let big = try #require(try results["big"]?.get())
        #expect(big.bodyTruncated)
        #expect(big.body.count == 100)
    }
}
