import CCurl

/// A blocking HTTP client for one thread: owns one libcurl easy handle and reuses it, so consecutive requests to a
/// host share a kept-alive connection.
///
/// Not Sendable: create one per thread (or per serial queue) and never call it from the cooperative pool, whose two
/// threads a blocking call would stall. For many requests in flight at once, use `HTTPMultiClient`.
public final class HTTPClient {
    /// Response bodies longer than this are cut (see `HTTPResponse.bodyTruncated`).
    public let maxBodyBytes: Int
    private let handle: EasyHandle

    public init(maxBodyBytes: Int = 16 << 20) {
        precondition(maxBodyBytes >= 0)
        self.maxBodyBytes = maxBodyBytes
        handle = EasyHandle()
    }

    /// Initialises libcurl once per process. Idempotent and safe to call repeatedly; call it from `main` before
    /// starting threads (libcurl asks for `curl_global_init` before any other thread uses it). Every client calls it
    /// too, as a fallback.
    public static func globalInit() {
        precondition(CurlGlobal.initialized, "curl_global_init failed")
    }

    /// Performs `request` and returns the full response, whatever its status.
    public func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
        try handle.prepare(request, maxBodyBytes: maxBodyBytes)
        return try handle.outcome(handle.perform()).get()
    }

    /// Performs `request` and hands a 2xx body to `onChunk` as it arrives, until `onChunk` returns false or the
    /// server ends the response. Returns the status and headers (`body` empty); a non-2xx body is not streamed but
    /// returned in `body`, cut at `maxBodyBytes`.
    ///
    /// `request.timeout` bounds connecting only; `idleTimeout`, when given, ends the stream with `.timedOut` after
    /// that long without a byte (keep it above the server's heartbeat interval). Chunks are network reads, not
    /// protocol units: an SSE event may span chunks.
    public func stream(_ request: HTTPRequest, idleTimeout: Duration? = nil,
                       onChunk: ([UInt8]) -> Bool) throws(HTTPClientError) -> HTTPResponse {
        try handle.prepare(request, maxBodyBytes: maxBodyBytes, timing: .stream(idle: idleTimeout))
        let sink = handle.sink
        let result = withoutActuallyEscaping(onChunk) { escapable in
            sink.onChunk = escapable
            defer { sink.onChunk = nil }
            return handle.perform()
        }
        return try handle.outcome(result).get()
    }

    /// Performs `request` as an upload of exactly `length` bytes that `read` supplies piece by piece (it fills the
    /// buffer it is given and returns the count, 0 at the end, nil to abort), and returns the full response.
    /// `request.body` must be nil; the method is `request.method` (PUT for S3).
    public func upload(_ request: HTTPRequest, length: Int64,
                       read: (UnsafeMutableRawBufferPointer) -> Int?) throws(HTTPClientError) -> HTTPResponse {
        precondition(request.body == nil, "an upload takes its body from `read`")
        try handle.prepare(request, maxBodyBytes: maxBodyBytes)
        let result = try withoutActuallyEscaping(read) { escapable throws(HTTPClientError) in
            let source = UploadSource(read: escapable)
            try handle.setUploadSource(source, length: length)
            return withExtendedLifetime(source) { handle.perform() }
        }
        return try handle.outcome(result).get()
    }
}

/// The body of a streamed upload, for libcurl's read callback.
final class UploadSource {
    let read: (UnsafeMutableRawBufferPointer) -> Int?
    init(read: @escaping (UnsafeMutableRawBufferPointer) -> Int?) { self.read = read }
}

@available(*, unavailable) extension UploadSource: Sendable {}

@available(*, unavailable) extension HTTPClient: Sendable {}

/// `curl_global_init` behind a `static let`, which Swift initialises exactly once even under concurrent access.
enum CurlGlobal {
    static let initialized: Bool = curl_global_init(ccurl_global_default) == CURLE_OK
}
