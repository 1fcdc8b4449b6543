/// The answer to an `HTTPRequest`. Any status, 4xx and 5xx included, is a response, not an error.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// In the order received, names as the server spelled them. Only the final response's headers (not those of
    /// a `100 Continue`).
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// True when the body exceeded the client's `maxBodyBytes`: `body` holds its first `maxBodyBytes` bytes and
    /// the rest was not read (the connection was closed).
    public var bodyTruncated: Bool

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
                bodyTruncated: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.bodyTruncated = bodyTruncated
    }

    /// The first header named `name`, compared case-insensitively (ASCII).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// The body decoded as UTF-8 (invalid sequences replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
