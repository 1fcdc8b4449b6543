@testable import HTTPClient
import Testing

/// A response keeps its header lines as received and splits them when asked (`HTTPResponse.headers`): the same
/// names and values, in the same order, as splitting each line when it arrived.
struct ResponseHeaderTests {
    @Test func linesSplitAtTheFirstColonWithTheValueTrimmed() {
        let block = Array("Server: nginx\nX-Empty:\nX-Spaced: \t a b \t\nX-Colons: http://x:1/y\nno colon line\nX-Last:v\n".utf8)
        let headers = HTTPResponse.parse(block)
        #expect(headers.map(\.name) == ["Server", "X-Empty", "X-Spaced", "X-Colons", "X-Last"])
        #expect(headers.map(\.value) == ["nginx", "", "a b", "http://x:1/y", "v"])
    }

    @Test func theSinkKeepsOnlyTheFinalResponsesLines() {
        let sink = ResponseSink(maxBodyBytes: 10)
        sink.reset(maxBodyBytes: 10)
        for line in ["HTTP/1.1 100 Continue\r\n", "X-Early: 1\r\n", "\r\n", "HTTP/1.1 201 Created\r\n", "Content-Type: application/json\r\n",
                     "X-Retryable:  false \r\n", "\r\n"] {
            Array(line.utf8).withUnsafeBytes { sink.receiveHeaderLine($0) }
        }
        let response = sink.response
        #expect(response.status == 201)
        #expect(response.headers.map(\.name) == ["Content-Type", "X-Retryable"])
        #expect(response.header("x-retryable") == "false")
        var edited = response
        edited.headers.append((name: "X-Added", value: "1"))
        #expect(edited.header("X-Added") == "1")
        #expect(edited.headers.count == 3)
    }
}
