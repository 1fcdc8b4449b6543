import SweepJSON

/// One HTTP request, independent of the transport that carried it.
public struct Request: Sendable {
    public var method: HTTPMethod
    /// The decoded path without the query string, e.g. `/api/v1/workflows/example1`.
    public var path: String
    public var query: [String: String]
    /// Header names are lowercased.
    public var headers: [String: String]
    public var body: [UInt8]
    /// Set by the router: the values of `{name}` segments of the matched route.
    public var pathParameters: [String: String] = [:]
    /// For routes whose bodies stream (see `RequestBodyStream`): the body to read, while `body` stays empty.
    public var bodyStream: (any RequestBodyStream)?

    public init(method: HTTPMethod, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
        self.body = body
    }

    /// For a transport whose header names are lowercase already (FastCGI's CGI parameters): no second pass.
    public init(method: HTTPMethod, path: String, query: [String: String], lowercasedHeaders: [String: String], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = lowercasedHeaders
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// A query parameter of a read (a filter, a page size), nil when absent or empty: `?state=&workflow_id=x` filters
    /// on the workflow only, as clients that fill in a URL template send it. Not for values that are user data.
    public func filter(_ name: String) -> String? {
        guard let value = query[name], !value.isEmpty else { return nil }
        return value
    }

    /// The cookie of that name from the `Cookie` header.
    public func cookie(_ name: String) -> String? {
        guard let header = headers["cookie"] else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].trimmingSpaces == name { return pair[1].trimmingSpaces }
        }
        return nil
    }

    /// The body as a JSON document; 400 `malformed_json` if it is not one.
    public func jsonBody() throws(APIError) -> JSONValue {
        guard !body.isEmpty else { throw APIError.badRequest("malformed_json", "the request body must be a JSON document") }
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            throw APIError.badRequest("malformed_json", "the request body is not valid JSON: \(error)")
        }
        if let pointer = value.pointerToNUL {
            throw APIError.badRequest("invalid_value", "strings must not contain the NUL character (\\u0000)", field: pointer)
        }
        return value
    }

    /// The body as a JSON object; 400 if it is not one.
    public func jsonObject() throws(APIError) -> [String: JSONValue] {
        guard let object = try jsonBody().objectValue else {
            throw APIError.badRequest("invalid_type", "the request body must be a JSON object", field: "")
        }
        return object
    }

    /// A `{name}` path parameter; the router guarantees it exists for the matched route.
    public func parameter(_ name: String) throws(APIError) -> String {
        guard let value = pathParameters[name], !value.isEmpty else {
            throw APIError.badRequest("missing_parameter", "path parameter '\(name)' is missing")
        }
        return value
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces.
    public var trimmingSpaces: String { String(self).trimmingSpacesOfString }
}

extension String {
    /// Works on bytes: it runs on every request's `Authorization` header, and the Character walk it replaces (twice
    /// reversed, generic over StringProtocol) was 18% of a `GET /api/v1/me` in the profile. Bytes give the same
    /// answer as Characters when what borders the removed spaces is ASCII (a space followed by a combining mark is
    /// one Character, not " "); anything else takes the Character walk.
    fileprivate var trimmingSpacesOfString: String {
        let utf8 = self.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, utf8[start] == UInt8(ascii: " ") { start = utf8.index(after: start) }
        while end > start, utf8[utf8.index(before: end)] == UInt8(ascii: " ") { end = utf8.index(before: end) }
        if start == utf8.startIndex, end == utf8.endIndex { return self }
        let asciiBorders = (start == end || utf8[start] < 0x80) && (end == start || utf8[utf8.index(before: end)] < 0x80)
        guard asciiBorders else { return String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed()) }
        return String(decoding: utf8[start..<end], as: UTF8.self)
    }
}
