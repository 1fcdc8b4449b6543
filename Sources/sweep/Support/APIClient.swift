import HTTPClient
import SweepJSON

/// The REST API of one server with one API key: builds requests, turns error answers into `CLIError`s.
final class APIClient {
    let baseURL: String
    let apiKey: String?
    /// Extra headers on every request (the session cookie and CSRF header during `sweep login`).
    var extraHeaders: [(name: String, value: String)] = []
    private let http = HTTPClient()
    /// A second handle for event streams, so status requests can go out while a stream is open.
    fileprivate lazy var streamingClient = HTTPClient()
    /// For file transfers (artifacts): error bodies only are kept, so a small cap.
    lazy var uploadClient = HTTPClient(maxBodyBytes: 1 << 20)

    init(baseURL: String, apiKey: String?) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.apiKey = apiKey
    }

    /// `/api/v1/` + segments, each percent-encoded, + query.
    func url(_ segments: [String], query: [(String, String?)] = []) -> String {
        var text = baseURL + "/api/v1/" + segments.map(APIClient.encode).joined(separator: "/")
        let pairs = query.compactMap { name, value in value.map { "\(name)=\(APIClient.encode($0))" } }
        if !pairs.isEmpty { text += "?" + pairs.joined(separator: "&") }
        return text
    }

    var headers: [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [("Accept", "application/json"), ("User-Agent", "sweep-cli/\(Sweep.version)")]
        if let apiKey { headers.append(("Authorization", "Bearer \(apiKey)")) }
        return headers + extraHeaders
    }

    /// Sends a request and returns the response whatever its status; only transport failures throw.
    func exchange(_ method: HTTPMethod, _ url: String, body: [UInt8]? = nil, contentType: String = "application/json",
                  headers more: [(name: String, value: String)] = [], timeout: Duration = .seconds(90))
        throws(CLIError) -> HTTPResponse {
        var all = headers + more
        if body != nil { all.append(("Content-Type", contentType)) }
        do {
            return try http.send(HTTPRequest(method: method, url: url, headers: all, body: body, timeout: timeout))
        } catch {
            throw CLIError(transport: error, url: baseURL)
        }
    }

    /// A request whose 2xx answer is JSON (or empty, for 204); anything else throws the API's error.
    @discardableResult
    func request(_ method: HTTPMethod, _ segments: [String], query: [(String, String?)] = [], json: JSONValue? = nil,
                 timeout: Duration = .seconds(90)) throws(CLIError) -> JSONValue? {
        let response = try exchange(method, url(segments, query: query), body: json?.jsonBytes, timeout: timeout)
        return try APIClient.decode(response)
    }

    static func decode(_ response: HTTPResponse) throws(CLIError) -> JSONValue? {
        guard (200..<300).contains(response.status) else { throw CLIError(response: response) }
        if response.body.isEmpty { return nil }
        do {
            return try JSONParser.parse(response.body)
        } catch {
            throw CLIError(.serverError, "the server answered HTTP \(response.status) with invalid JSON: \(error)")
        }
    }

    func get(_ segments: String..., query: [(String, String?)] = []) throws(CLIError) -> JSONValue {
        try request(.get, segments, query: query) ?? .null
    }

    /// Every item of a paginated list, following `next_cursor`.
    func list(_ segments: String..., query: [(String, String?)] = [], limit: Int? = nil) throws(CLIError) -> JSONValue {
        var items: [JSONValue] = []
        var cursor: String?
        repeat {
            var page = query + [("limit", String(min(limit.map { $0 - items.count } ?? 500, 500)))]
            if let cursor { page.append(("cursor", cursor)) }
            let answer = try request(.get, segments, query: page) ?? .null
            items += answer["items"]?.arrayValue ?? []
            cursor = answer["next_cursor"]?.stringValue
        } while cursor != nil && (limit.map { items.count < $0 } ?? true)
        return ["items": .array(items), "next_cursor": .null]
    }

    /// Unreserved characters (RFC 3986) pass; everything else is %XX.
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 15)]], as: UTF8.self)
            }
        }
        return out
    }
}

@available(*, unavailable) extension APIClient: Sendable {}

extension APIClient {
    /// Streams a GET (for SSE): `onChunk` sees the 2xx body as it arrives; a non-2xx answer throws the API error.
    /// Transport failures come back as the `HTTPClientError`, since the watcher retries some of them.
    func stream(_ segments: [String], query: [(String, String?)] = [], headers more: [(name: String, value: String)], idleTimeout: Duration,
                onChunk: ([UInt8]) -> Bool) throws -> HTTPResponse {
        let request = HTTPRequest(method: .get, url: url(segments, query: query), headers: headers + more, timeout: .seconds(10))
        let response = try streamingClient.stream(request, idleTimeout: idleTimeout, onChunk: onChunk)
        guard (200..<300).contains(response.status) else { throw CLIError(response: response) }
        return response
    }
}
