import Egress

/// Collects what libcurl's header and write callbacks deliver for one transfer. Each easy handle owns one and resets it
/// for each request, so the callbacks' data pointers are set once per handle, not once per request.
final class ResponseSink {
    /// The request's egress policy, consulted by the open-socket callback; the first address it refused.
    var egress: EgressPolicy?
    var deniedAddress: IPAddress?
    /// Whether a permitted address was tried.
    var connectedPermitted = false

    private(set) var maxBodyBytes: Int
    private(set) var status = 0
    /// The final response's header lines, CR and LF stripped, each ended by one LF (`HTTPResponse` splits them
    /// when asked).
    private(set) var headerLines: [UInt8] = []
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

    /// Ready for the next transfer: nothing of the last one is kept (its response was handed out whole).
    func reset(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
        egress = nil
        deniedAddress = nil
        connectedPermitted = false
        status = 0
        // Fresh arrays: the last response holds the old ones. Room for a typical response's headers at once.
        headerLines = []
        headerLines.reserveCapacity(256)
        body = []
        truncated = false
        stoppedByReceiver = false
        onChunk = nil
    }

    /// One header line as libcurl delivers it, CRLF included. Parsed as bytes: String's Character walk (grapheme
    /// breaking, to strip "\r\n") was most of a no-op HTTP call's Swift CPU in a scheduler's profile.
    func receiveHeaderLine(_ line: UnsafeRawBufferPointer) {
        var end = line.count
        while end > 0, line[end - 1] == 0x0A || line[end - 1] == 0x0D { end -= 1 }
        let bytes = UnsafeRawBufferPointer(rebasing: line[..<end])
        if bytes.starts(with: "HTTP/".utf8) {
            // A new status line starts a new response (after `100 Continue` or a redirect): forget the last one.
            headerLines.removeAll(keepingCapacity: true)
            status = Self.statusCode(bytes)
        } else if bytes.contains(UInt8(ascii: ":")) {
            // Kept whole (a line without a colon, such as the blank end of the headers, is no header). A stray LF
            // inside a line would end it early when split, as a new line: libcurl hands lines split at LF anyway.
            headerLines.append(contentsOf: bytes)
            headerLines.append(0x0A)
        }
    }

    /// The status of a status line (`HTTP/1.1 200 OK`): the second space-separated field, 0 when it is not a number.
    static func statusCode(_ line: UnsafeRawBufferPointer) -> Int {
        guard let space = line.firstIndex(of: 0x20) else { return 0 }
        var index = space + 1
        while index < line.count, line[index] == 0x20 { index += 1 }
        var value = 0, digits = 0
        while index < line.count, line[index] != 0x20 {
            let byte = line[index]
            guard byte >= 0x30, byte <= 0x39, digits < 9 else { return 0 }
            value = value * 10 + Int(byte - 0x30)
            digits += 1
            index += 1
        }
        return digits > 0 ? value : 0
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
        HTTPResponse(status: status, headerLines: headerLines, body: body, bodyTruncated: truncated)
    }
}

@available(*, unavailable) extension ResponseSink: Sendable {}
