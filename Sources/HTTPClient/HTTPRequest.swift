import Egress

/// One HTTP exchange to perform. Plain data: build it anywhere, hand it to the thread that owns a client.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// An `http://` or `https://` URL; other schemes (file://, gopher://, …) are refused by the client.
    public var url: String
    /// Sent in order. Names must be RFC 9110 tokens and values must not contain CR, LF or NUL (checked, so a value
    /// taken from a workflow definition cannot inject headers).
    public var headers: [(name: String, value: String)]
    /// nil sends no body (a POST without one sends `Content-Length: 0`).
    public var body: [UInt8]?
    /// Limit on the whole exchange, connect included (`CURLOPT_TIMEOUT_MS`). For `HTTPClient.stream` it limits
    /// only connecting; see `idleTimeout` there.
    public var timeout: Duration
    /// When set, every address is checked against it just before connecting (refused: `.egressDenied`), and
    /// proxies from the environment are ignored (a proxy would connect on our behalf, unchecked).
    public var egress: EgressPolicy?
    /// Signs the request with AWS Signature Version 4 (libcurl's own `CURLOPT_AWS_SIGV4`), for S3-compatible stores.
    public var awsSigV4: AWSSigV4?

    public init(method: HTTPMethod = .get, url: String, headers: [(name: String, value: String)] = [],
                body: [UInt8]? = nil, timeout: Duration = .seconds(30), egress: EgressPolicy? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.egress = egress
    }
}
