import SweepJSON

/// One HTTP response. A `stream` response hands the connection to a long-lived producer (SSE) instead of a body.
public struct Response: Sendable {
    public var status: HTTPStatus
    public var headers: [(String, String)]
    public var body: [UInt8]
    public var stream: (any ResponseStream)?
    /// A parked response: the transport writes nothing yet, hands the connection to `stream` and takes the request
    /// thread back; the stream answers later, status and all, with `StreamSink.respond`.
    public private(set) var isParked = false
    /// A body written piece by piece on the request's thread instead of `body` (large downloads).
    public var bodyProducer: (any ResponseBodyProducer)?

    public init(status: HTTPStatus = .ok, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
        self.stream = nil
        self.bodyProducer = nil
    }

    /// A body of `length` bytes that `producer` writes after the headers.
    public static func produced(_ producer: any ResponseBodyProducer, length: Int, headers: [(String, String)]) -> Response {
        var response = Response(status: .ok, headers: headers + [("Content-Length", String(length))])
        response.bodyProducer = producer
        return response
    }

    public static func json(_ value: JSONValue, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: [("Content-Type", "application/json")], body: value.jsonBytes)
    }

    public static func text(_ text: String, status: HTTPStatus = .ok, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8))
    }

    public static func noContent() -> Response { Response(status: .noContent) }

    public static func streaming(_ stream: any ResponseStream, headers: [(String, String)]) -> Response {
        var response = Response(status: .ok, headers: headers)
        response.stream = stream
        return response
    }

    /// Parks the request (DESIGN §3): no thread waits for the answer; `stream` gets the connection and answers
    /// when it knows what to say (`StreamSink.respond`).
    public static func parked(_ stream: any ResponseStream) -> Response {
        var response = Response(status: .accepted)
        response.stream = stream
        response.isParked = true
        return response
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveEquals(name) }?.1
    }

    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.0.caseInsensitiveEquals(name) }
        headers.append((name, value))
    }
}

/// A long-lived response body (server-sent events). After the headers are written, the transport hands the
/// connection over with `attach` and takes the request thread back at once: a waiting stream costs a file
/// descriptor, not a thread.
public protocol ResponseStream: Sendable {
    func attach(_ sink: any StreamSink)
}

/// A connection handed over to a stream. Writes never block for long: a client that cannot take more data is
/// reported gone (it resumes with Last-Event-ID). `close` ends the response; the sink is closed at the latest when
/// it is released.
public protocol StreamSink: AnyObject, Sendable {
    /// False once the client is gone or too slow; the caller should then close the sink.
    func write(_ bytes: [UInt8]) -> Bool
    /// True when the peer hung up (checked without blocking).
    var isClosedByPeer: Bool { get }
    /// True when a write of a few tens of kilobytes would not block right now (checked without blocking): a
    /// stream catching up on history waits for this instead of being dropped as too slow.
    var canTakeMore: Bool { get }
    func close()
    /// Answers a parked request with a whole response (status, headers, body) and ends it; false when the client
    /// is gone.
    @discardableResult
    func respond(_ response: Response) -> Bool
}

extension StreamSink {
    public var canTakeMore: Bool { true }
}

extension String {
    /// ASCII letters compared without case, on bytes (header names are ASCII): no lowercased copies per header.
    func caseInsensitiveEquals(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        return zip(utf8, other.utf8).allSatisfy { Self.lowerASCII($0) == Self.lowerASCII($1) }
    }

    private static func lowerASCII(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}
