import SweepJSON

/// One HTTP response. A `stream` response hands the connection to a long-lived producer (SSE) instead of a body.
public struct Response: Sendable {
    public var status: HTTPStatus
    public var headers: [(String, String)]
    public var body: [UInt8]
    public var stream: (any ResponseStream)?

    public init(status: HTTPStatus = .ok, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
        self.stream = nil
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

    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveEquals(name) }?.1
    }

    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.0.caseInsensitiveEquals(name) }
        headers.append((name, value))
    }
}

/// A long-lived response body (server-sent events). The transport calls `attach` once, on a thread that may block.
public protocol ResponseStream: Sendable {
    /// Runs the stream on the connection represented by `sink` until it ends or the client goes away.
    func run(sink: any StreamSink)
}

/// Where a stream writes; `write` returns false once the client is gone.
public protocol StreamSink {
    func write(_ bytes: [UInt8]) -> Bool
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool { lowercased() == other.lowercased() }
}
