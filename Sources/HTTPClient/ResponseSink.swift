import Egress

/// Collects what libcurl's header and write callbacks deliver for one transfer.
final class ResponseSink {
    /// The request's egress policy, consulted by the open-socket callback; the first address it refused.
    var egress: EgressPolicy?
    var deniedAddress: IPAddress?
    /// Whether a permitted address was tried.
    var connectedPermitted = false

    let maxBodyBytes: Int
    private(set) var status = 0
    private(set) var headers: [(name: String, value: String)] = []
    private(set) var body: [UInt8] = []
    private(set) var truncated = false
    /// True when this sink, not the network, ended the transfer (body limit reached or a stream callback said
    /// stop); libcurl then reports CURLE_WRITE_ERROR, which is not a failure.
    private(set) var stoppedByReceiver = false
    /// For `HTTPClient.stream`: receives a 2xx body chunk by chunk instead of `body`; returns false to stop.
    var onChunk: (([UInt8]) -> Bool)?

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    /// One header line as libcurl delivers it, CRLF included.
    func receiveHeaderLine(_ line: UnsafeRawBufferPointer) {
        var text = String(decoding: line, as: UTF8.self)
        while let last = text.last, last == "\r\n" || last == "\n" || last == "\r" { text.removeLast() }
        if text.hasPrefix("HTTP/") {
            // A new status line starts a new response (after `100 Continue` or a redirect): forget the last one.
            headers.removeAll()
            let parts = text.split(separator: " ", maxSplits: 2)
            status = parts.count >= 2 ? Int(parts[1]) ?? 0 : 0
        } else if let colon = text.firstIndex(of: ":") {
            let name = String(text[..<colon])
            let value = text[text.index(after: colon)...].trimmingASCIISpaces()
            headers.append((name: name, value: value))
        }
    }

    /// One body chunk; returns false to make libcurl stop the transfer.
    func receiveBody(_ chunk: UnsafeRawBufferPointer) -> Bool {
        if let onChunk, (200..<300).contains(status) {
            if onChunk(Array(chunk)) { return true }
            stoppedByReceiver = true
            return false
        }
        let room = maxBodyBytes - body.count
        if chunk.count <= room {
            body.append(contentsOf: chunk)
            return true
        }
        body.append(contentsOf: chunk.prefix(max(room, 0)))
        truncated = true
        stoppedByReceiver = true
        return false
    }

    var response: HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: body, bodyTruncated: truncated)
    }
}

@available(*, unavailable) extension ResponseSink: Sendable {}

extension Substring {
    fileprivate func trimmingASCIISpaces() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
