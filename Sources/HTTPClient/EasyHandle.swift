import CCurl
import DurationUnits
import Egress

/// Owns one `CURL` easy handle, its error buffer, and what a transfer on it reads (the response sink, the header
/// list, the body). Reused across requests: `curl_easy_reset` clears options but, per libcurl, keeps "live
/// connections, the Session ID cache, the DNS cache", which is what makes keep-alive work.
///
/// A request of the same shape as the handle's last one (`Shape`: the same method, a body or not, an egress policy
/// or not, a whole-exchange timeout, no signing) keeps the options that do not change between such requests (error
/// buffer, NOSIGNAL, protocols, callbacks and their data, method, proxy and egress guard) and sets only URL, timeout,
/// body and headers: the reset and a dozen setopts per request were a tenth of a scheduler's CPU per task call. Any
/// other request, or one after a failed `prepare`, an upload or a stream, starts from `curl_easy_reset`.
final class EasyHandle {
    /// What `HTTPRequest.timeout` bounds.
    enum Timing {
        /// The whole exchange.
        case whole
        /// Connecting only; then optionally at most `idle` without a byte received.
        case stream(idle: Duration?)
    }

    /// Which options a request sets beyond its URL, timeout, body and headers.
    private struct Shape: Equatable {
        let method: String
        let hasBody: Bool
        let guardsEgress: Bool
    }

    let raw: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// Receives the current transfer's response; the header, write and open-socket callbacks point at it.
    let sink = ResponseSink(maxBodyBytes: 0)
    private let headers = HeaderList()
    /// The body of the current request, for CURLOPT_POSTFIELDS (not copied by libcurl, so it must outlive the
    /// transfer: it lives as long as the handle and is rewritten only by the next `prepare`).
    private var body: UnsafeMutableRawPointer?
    private var bodyCapacity = 0
    /// Larger bodies are copied by libcurl (CURLOPT_COPYPOSTFIELDS) rather than kept in `body` for the handle's life.
    private static let maxKeptBody = 64 << 10
    /// The shape whose options are set now; nil when the next request must start from a reset.
    private var shape: Shape?
    /// Requests prepared since the last reset. libcurl 7.88 resets its count of retries on a dead kept-alive
    /// connection only in curl_easy_reset (fixed in 8.17, curl #18926), and fails a request once the count passes
    /// 5: a handle that is never reset would carry retries over from earlier requests. So the handle is reset after
    /// any transfer that failed, was abandoned or opened a connection (a retry opens one unless another kept-alive
    /// connection took it), and at least every `maxRequestsPerReset` requests.
    private(set) var requestsSinceReset = 0
    private static let maxRequestsPerReset = 32
    /// The URL set now.
    private var url: String?
    /// `url` parsed, handed to libcurl as CURLOPT_CURLU: libcurl otherwise parses the URL text and rebuilds it for
    /// every transfer (7.88 `parseurlandfillconn`), a twentieth of a scheduler's CPU per task call, although
    /// consecutive calls of a scatter go to one URL. Parsed here with the flags libcurl uses itself
    /// (CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME; we set neither DISALLOW_USERNAME_IN_URL nor PATH_AS_IS), so
    /// the request is the same; the allowed protocols are still checked by libcurl on the parsed scheme.
    private let parsedURL: OpaquePointer

    init() {
        HTTPClient.globalInit()
        // libcurl: curl_easy_init returns NULL only when something went wrong (out of memory); nothing to recover.
        guard let raw = curl_easy_init() else { fatalError("curl_easy_init failed") }
        self.raw = raw
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        guard let parsedURL = curl_url() else { fatalError("curl_url failed (out of memory)") }
        self.parsedURL = parsedURL
    }

    deinit {
        // libcurl may read the body, the headers and the URL until the handle is gone: free them after it.
        curl_easy_cleanup(raw)
        curl_url_cleanup(parsedURL)
        errorBuffer.deallocate()
        body?.deallocate()
    }

    /// Sets every option for `request`, resetting the handle first unless the request has the last one's shape.
    /// The handle's `sink` then collects the response, at most `maxBodyBytes` of body.
    func prepare(_ request: HTTPRequest, maxBodyBytes: Int, timing: Timing = .whole) throws(HTTPClientError) {
        guard !Self.containsNUL(request.url) else { throw .invalidRequest("URL contains a NUL byte") }
        let method = request.method.rawValue
        guard Self.isToken(method) else { throw .invalidRequest("invalid method \(String(reflecting: method))") }
        // The header lines are built before any option changes: a refused header leaves the handle as it was.
        headers.removeAll()
        var sawExpect = false
        var sawContentSHA = false
        for (name, value) in request.headers {
            guard Self.isToken(name) else { throw .invalidRequest("invalid header name \(String(reflecting: name))") }
            guard !Self.containsLineBreakOrNUL(value) else {
                throw .invalidRequest("header \(name) has CR, LF or NUL in its value")
            }
            // Compared without lowercasing a copy of every header name of every request.
            if Self.namesMatch(name, "expect") { sawExpect = true }
            if Self.namesMatch(name, "x-amz-content-sha256") { sawContentSHA = true }
            // libcurl: "Name:" alone removes a header curl would add; "Name;" sends it with an empty value.
            headers.append(name: name, value: value)
        }
        // libcurl adds `Expect: 100-continue` to larger POSTs and then waits up to a second for a `100` that many
        // servers never send; an empty `Expect:` turns that off.
        // (Not for AWS-signed requests: libcurl 7.88 signs every header the caller lists, the empty "Expect:" too,
        // which is never sent, so the server could not reproduce the signature.)
        if !sawExpect, request.awsSigV4 == nil { headers.append(line: "Expect:") }
        // S3 wants x-amz-content-sha256 on every request, and libcurl 7.88 does not add it: it only signs with the
        // value of one the caller sends. UNSIGNED-PAYLOAD is what S3 documents for a body whose hash is not known
        // before it is sent (a streamed upload); the rest of the request stays signed.
        if let aws = request.awsSigV4, aws.service == "s3", !sawContentSHA {
            headers.append(line: "x-amz-content-sha256: UNSIGNED-PAYLOAD")
        }

        var next: Shape? = nil
        if case .whole = timing, request.awsSigV4 == nil {
            next = Shape(method: method, hasBody: request.body != nil, guardsEgress: request.egress != nil)
        }
        let keeps = next != nil && next == shape && requestsSinceReset < Self.maxRequestsPerReset
        shape = nil  // until every option below is set
        sink.reset(maxBodyBytes: maxBodyBytes)
        errorBuffer[0] = 0
        requestsSinceReset += 1
        if !keeps {
            curl_easy_reset(raw)
            requestsSinceReset = 1
            url = nil
            try setInvariants()
            if case .stream(let idleTimeout) = timing {
                // Streams are open-ended: bound connecting, and optionally silence (below 1 byte/s for N seconds).
                try set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.timeout))
                if let idleTimeout {
                    try set(CURLOPT_LOW_SPEED_LIMIT, 1)
                    try set(CURLOPT_LOW_SPEED_TIME, max(1, (Self.milliseconds(idleTimeout) + 999) / 1000))
                }
            }
            if let aws = request.awsSigV4 {
                // libcurl signs with the user name as the access key id and the password as the secret key.
                try set(CURLOPT_AWS_SIGV4, string: aws.provider)
                try set(CURLOPT_USERNAME, string: aws.accessKeyID)
                try set(CURLOPT_PASSWORD, string: aws.secretAccessKey)
            }
            try setMethod(method, hasBody: request.body != nil)
            if request.egress != nil { try guardEgress() }
        }
        if url != request.url {
            try setURL(request.url)
            url = request.url
        }
        if case .whole = timing { try set(CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout)) }
        if let body = request.body { try setBody(body) }
        try set(CURLOPT_HTTPHEADER, slist: headers.list)
        sink.egress = request.egress
        shape = next
    }

    /// A URL libcurl's parser takes goes in parsed (`parsedURL`); any other is set as text, so libcurl fails the
    /// transfer exactly as it always did.
    private func setURL(_ text: String) throws(HTTPClientError) {
        let flags = UInt32(CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME)
        if curl_url_set(parsedURL, CURLUPART_URL, text, flags) == CURLUE_OK {
            // libcurl: with CURLOPT_CURLU set and no URL text, the transfer's URL is generated from the handle
            // (Curl_pretransfer); the text of an earlier request must not stand in for it.
            try check(ccurl_setopt_string(raw, CURLOPT_URL, nil))
            try set(CURLOPT_CURLU, pointer: UnsafeMutableRawPointer(parsedURL))
        } else {
            try set(CURLOPT_CURLU, pointer: nil)
            try set(CURLOPT_URL, string: text)
        }
    }

    /// The options every request sets the same way.
    private func setInvariants() throws(HTTPClientError) {
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        // libcurl: "In a multi-threaded application you should set CURLOPT_NOSIGNAL to 1" (no SIGALRM for DNS).
        try set(CURLOPT_NOSIGNAL, 1)
        // Tenants supply URLs: allow only HTTP(S), so file:// or gopher:// cannot read or poke local services.
        try set(CURLOPT_PROTOCOLS_STR, string: "http,https")
        try set(CURLOPT_REDIR_PROTOCOLS_STR, string: "http,https")
        let context = Unmanaged.passUnretained(sink).toOpaque()
        try set(CURLOPT_HEADERDATA, pointer: context)
        try check(ccurl_setopt_write_callback(raw, CURLOPT_HEADERFUNCTION) { data, size, count, userdata in
            let sink = Unmanaged<ResponseSink>.fromOpaque(userdata!).takeUnretainedValue()
            sink.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        })
        try set(CURLOPT_WRITEDATA, pointer: context)
        try check(ccurl_setopt_write_callback(raw, CURLOPT_WRITEFUNCTION) { data, size, count, userdata in
            let sink = Unmanaged<ResponseSink>.fromOpaque(userdata!).takeUnretainedValue()
            // libcurl: returning a count other than the one passed in "will signal an error condition to the
            // library", which aborts the transfer with CURLE_WRITE_ERROR.
            return sink.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
                ? size * count : ccurl_writefunc_abort
        })
    }

    /// Whether header name `name` is `lowercase` (ASCII, case-insensitively, as HTTP compares field names).
    static func namesMatch(_ name: String, _ lowercase: StaticString) -> Bool {
        lowercase.withUTF8Buffer { expected in
            name.utf8.count == expected.count && zip(name.utf8, expected).allSatisfy { a, b in
                a == b || (a >= 0x41 && a <= 0x5A && a + 0x20 == b)
            }
        }
    }

    /// Checks each resolved address at connect time (the policy of the current request, in `sink.egress`).
    /// libcurl's connection cache reuses only connections this callback allowed (every request of a policy-bound
    /// client carries the same policy).
    private func guardEgress() throws(HTTPClientError) {
        // An environment proxy (http_proxy, …) would make the connection for us to an address we never saw.
        try set(CURLOPT_PROXY, string: "")
        try set(CURLOPT_OPENSOCKETDATA, pointer: Unmanaged.passUnretained(sink).toOpaque())
        try check(ccurl_setopt_opensocket_callback(raw) { clientp, purpose, address in
            guard let clientp, let address else { return ccurl_socket_bad }
            let sink = Unmanaged<ResponseSink>.fromOpaque(clientp).takeUnretainedValue()
            var bytes = [UInt8](repeating: 0, count: 16)
            let count = Int(ccurl_sockaddr_bytes(address, &bytes))
            guard purpose == CURLSOCKTYPE_IPCXN, let ip = IPAddress(bytes: Array(bytes.prefix(count))),
                  sink.egress?.permits(ip) ?? true
            else {
                if sink.deniedAddress == nil, let ip = IPAddress(bytes: Array(bytes.prefix(count))) { sink.deniedAddress = ip }
                // libcurl: returning CURL_SOCKET_BAD "will cause libcurl to fail" this attempt (CURLE_COULDNT_CONNECT
                // when no other address is left).
                return ccurl_socket_bad
            }
            sink.connectedPermitted = true
            return ccurl_open_socket(address)
        })
    }

    /// Makes the prepared request an upload of exactly `length` bytes pulled from `source` by libcurl's read
    /// callback, so the body is never in memory whole. `source` must stay alive until the transfer completes.
    func setUploadSource(_ source: UploadSource, length: Int64) throws(HTTPClientError) {
        shape = nil  // the next request starts from a reset (no upload options left behind)
        // libcurl: CURLOPT_UPLOAD makes the request a PUT (CUSTOMREQUEST may still rename it); a known size sends
        // Content-Length instead of chunked encoding, which S3 refuses.
        try set(CURLOPT_UPLOAD, 1)
        try set(CURLOPT_INFILESIZE_LARGE, offset: curl_off_t(length))
        try set(CURLOPT_READDATA, pointer: Unmanaged.passUnretained(source).toOpaque())
        try check(ccurl_setopt_read_callback(raw, CURLOPT_READFUNCTION) { buffer, size, count, userdata in
            let source = Unmanaged<UploadSource>.fromOpaque(userdata!).takeUnretainedValue()
            let room = UnsafeMutableRawBufferPointer(start: buffer, count: size * count)
            // libcurl: return the bytes stored, 0 at the end, or CURL_READFUNC_ABORT to stop with an error.
            guard let n = source.read(room) else { return ccurl_readfunc_abort }
            return n
        })
    }

    /// Performs the prepared request on this thread (the blocking interface).
    func perform() -> CURLcode {
        curl_easy_perform(raw)
    }

    /// The transfer was stopped before its end (`HTTPMultiClient.cancel`): the next request starts from a reset.
    func abandon() {
        shape = nil
    }

    /// The outcome of the finished transfer.
    func outcome(_ result: CURLcode) -> Result<HTTPResponse, HTTPClientError> {
        var connects = 0
        if result != CURLE_OK || ccurl_getinfo_long(raw, CURLINFO_NUM_CONNECTS, &connects) != CURLE_OK || connects > 0 {
            shape = nil  // see `requestsSinceReset`
        }
        if result == CURLE_OK || (result == CURLE_WRITE_ERROR && sink.stoppedByReceiver) {
            return .success(sink.response)
        }
        // Only when no permitted address was tried: otherwise the failure is that address's, not the policy's.
        if let denied = sink.deniedAddress, !sink.connectedPermitted {
            return .failure(HTTPClientError(code: .egressDenied, message: "egress_denied: \(denied)", curlCode: Int(result.rawValue)))
        }
        return .failure(HTTPClientError(curl: result, detail: String(cString: errorBuffer)))
    }

    /// The method's options (libcurl keeps them across requests of one shape).
    private func setMethod(_ method: String, hasBody: Bool) throws(HTTPClientError) {
        if hasBody {
            // A body makes the request a POST (`setBody`); CUSTOMREQUEST renames the method when needed.
            if method != "POST" { try set(CURLOPT_CUSTOMREQUEST, string: method) }
            return
        }
        switch method {
        case "GET": try set(CURLOPT_HTTPGET, 1)
        case "HEAD": try set(CURLOPT_NOBODY, 1)
        case "POST":
            try set(CURLOPT_POSTFIELDSIZE_LARGE, offset: 0)
            try set(CURLOPT_COPYPOSTFIELDS, string: "")
        default: try set(CURLOPT_CUSTOMREQUEST, string: method)
        }
    }

    /// libcurl: with CURLOPT_POSTFIELDS and CURLOPT_COPYPOSTFIELDS the size must be set first when the data may
    /// contain zero bytes. A small body is copied into the handle's own buffer, which outlives the transfer
    /// (CURLOPT_POSTFIELDS is not copied); a large one is copied by libcurl (not kept by the handle between requests).
    private func setBody(_ bytes: [UInt8]) throws(HTTPClientError) {
        try set(CURLOPT_POSTFIELDSIZE_LARGE, offset: curl_off_t(bytes.count))
        if bytes.count > Self.maxKeptBody {
            let copied = bytes.withUnsafeBytes { bytes in
                ccurl_setopt_pointer(raw, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress!))
            }
            return try check(copied)
        }
        if body == nil || bodyCapacity < max(bytes.count, 1) {
            body?.deallocate()
            bodyCapacity = max(bytes.count, 1024)
            body = .allocate(byteCount: bodyCapacity, alignment: 1)
        }
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { body!.copyMemory(from: base, byteCount: source.count) }
        }
        try set(CURLOPT_POSTFIELDS, pointer: body)
    }

    // MARK: - Typed setopt (the shims in CCurl/shim.h)

    private func set(_ option: CURLoption, _ value: Int) throws(HTTPClientError) {
        try check(ccurl_setopt_long(raw, option, value))
    }
    private func set(_ option: CURLoption, offset: curl_off_t) throws(HTTPClientError) {
        try check(ccurl_setopt_off_t(raw, option, offset))
    }
    /// libcurl copies string options (all but CURLOPT_POSTFIELDS), so a temporary C string is fine.
    private func set(_ option: CURLoption, string: String) throws(HTTPClientError) {
        try check(ccurl_setopt_string(raw, option, string))
    }
    private func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(HTTPClientError) {
        try check(ccurl_setopt_pointer(raw, option, pointer))
    }
    private func set(_ option: CURLoption, slist: UnsafeMutablePointer<curl_slist>?) throws(HTTPClientError) {
        try check(ccurl_setopt_slist(raw, option, slist))
    }
    private func check(_ result: CURLcode) throws(HTTPClientError) {
        guard result == CURLE_OK else { throw HTTPClientError(curl: result, detail: "setting an option") }
    }

    /// Duration to whole milliseconds, at least 1 (libcurl treats 0 as "no timeout").
    static func milliseconds(_ duration: Duration) -> Int {
        max(1, Int(clamping: min(duration.milliseconds, Int64(Int.max / 2))))
    }

    /// RFC 9110 token: 1*tchar.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
                 UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
                true
            default:
                false
            }
        }
    }

    static func containsNUL(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { $0.contains(0) } ?? text.utf8.contains(0)
    }

    static func containsLineBreakOrNUL(_ text: String) -> Bool {
        let bad: (UInt8) -> Bool = { $0 == 13 || $0 == 10 || $0 == 0 }
        return text.utf8.withContiguousStorageIfAvailable { $0.contains(where: bad) } ?? text.utf8.contains(where: bad)
    }
}

@available(*, unavailable) extension EasyHandle: Sendable {}
