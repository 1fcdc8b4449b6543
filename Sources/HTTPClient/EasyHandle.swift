import CCurl
import DurationUnits
import Egress

/// Owns one `CURL` easy handle and its error buffer. Reused across requests: `curl_easy_reset` clears options but,
/// per libcurl, keeps "live connections, the Session ID cache, the DNS cache", which is what makes keep-alive work.
final class EasyHandle {
    /// What `HTTPRequest.timeout` bounds.
    enum Timing {
        /// The whole exchange.
        case whole
        /// Connecting only; then optionally at most `idle` without a byte received.
        case stream(idle: Duration?)
    }

    let raw: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init() {
        HTTPClient.globalInit()
        // libcurl: curl_easy_init returns NULL only when something went wrong (out of memory); nothing to recover.
        guard let raw = curl_easy_init() else { fatalError("curl_easy_init failed") }
        self.raw = raw
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    /// Resets the handle and sets every option for `request`. The returned list and `sink` must stay alive until
    /// the transfer completes (libcurl keeps pointers to both).
    func prepare(_ request: HTTPRequest, sink: ResponseSink, timing: Timing = .whole)
        throws(HTTPClientError) -> HeaderList {
        curl_easy_reset(raw)
        errorBuffer[0] = 0
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        // libcurl: "In a multi-threaded application you should set CURLOPT_NOSIGNAL to 1" (no SIGALRM for DNS).
        try set(CURLOPT_NOSIGNAL, 1)
        // Tenants supply URLs: allow only HTTP(S), so file:// or gopher:// cannot read or poke local services.
        try set(CURLOPT_PROTOCOLS_STR, string: "http,https")
        try set(CURLOPT_REDIR_PROTOCOLS_STR, string: "http,https")
        guard !request.url.utf8.contains(0) else { throw .invalidRequest("URL contains a NUL byte") }
        try set(CURLOPT_URL, string: request.url)

        let timeoutMilliseconds = Self.milliseconds(request.timeout)
        switch timing {
        case .whole:
            try set(CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
        case .stream(let idleTimeout):
            // Streams are open-ended: bound connecting, and optionally silence (below 1 byte/s for N seconds).
            try set(CURLOPT_CONNECTTIMEOUT_MS, timeoutMilliseconds)
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

        let headers = HeaderList()
        try setMethodAndBody(request)
        var sawExpect = false
        var sawContentSHA = false
        for (name, value) in request.headers {
            guard Self.isToken(name) else { throw .invalidRequest("invalid header name \(String(reflecting: name))") }
            guard !value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) else {
                throw .invalidRequest("header \(name) has CR, LF or NUL in its value")
            }
            // Compared without lowercasing a copy of every header name of every request.
            if Self.namesMatch(name, "expect") { sawExpect = true }
            if Self.namesMatch(name, "x-amz-content-sha256") { sawContentSHA = true }
            // libcurl: "Name:" alone removes a header curl would add; "Name;" sends it with an empty value.
            try headers.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        // libcurl adds `Expect: 100-continue` to larger POSTs and then waits up to a second for a `100` that many
        // servers never send; an empty `Expect:` turns that off.
        // (Not for AWS-signed requests: libcurl 7.88 signs every header the caller lists, the empty "Expect:" too,
        // which is never sent, so the server could not reproduce the signature.)
        if !sawExpect, request.awsSigV4 == nil { try headers.append("Expect:") }
        // S3 wants x-amz-content-sha256 on every request, and libcurl 7.88 does not add it: it only signs with the
        // value of one the caller sends. UNSIGNED-PAYLOAD is what S3 documents for a body whose hash is not known
        // before it is sent (a streamed upload); the rest of the request stays signed.
        if let aws = request.awsSigV4, aws.service == "s3", !sawContentSHA {
            try headers.append("x-amz-content-sha256: UNSIGNED-PAYLOAD")
        }
        try set(CURLOPT_HTTPHEADER, slist: headers.raw)

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
        if let egress = request.egress {
            sink.egress = egress
            try guardEgress(sink)
        }
        return headers
    }

    /// Whether header name `name` is `lowercase` (ASCII, case-insensitively, as HTTP compares field names).
    static func namesMatch(_ name: String, _ lowercase: StaticString) -> Bool {
        lowercase.withUTF8Buffer { expected in
            name.utf8.count == expected.count && zip(name.utf8, expected).allSatisfy { a, b in
                a == b || (a >= 0x41 && a <= 0x5A && a + 0x20 == b)
            }
        }
    }

    /// Checks each resolved address at connect time. libcurl's connection cache reuses only connections this
    /// callback allowed (every request of a policy-bound client carries the same policy).
    private func guardEgress(_ sink: ResponseSink) throws(HTTPClientError) {
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

    /// The outcome of a finished transfer that used `sink`.
    func outcome(_ result: CURLcode, sink: ResponseSink) -> Result<HTTPResponse, HTTPClientError> {
        if result == CURLE_OK || (result == CURLE_WRITE_ERROR && sink.stoppedByReceiver) {
            return .success(sink.response)
        }
        // Only when no permitted address was tried: otherwise the failure is that address's, not the policy's.
        if let denied = sink.deniedAddress, !sink.connectedPermitted {
            return .failure(HTTPClientError(code: .egressDenied, message: "egress_denied: \(denied)", curlCode: Int(result.rawValue)))
        }
        return .failure(HTTPClientError(curl: result, detail: String(cString: errorBuffer)))
    }

    private func setMethodAndBody(_ request: HTTPRequest) throws(HTTPClientError) {
        let method = request.method.rawValue
        guard Self.isToken(method) else { throw .invalidRequest("invalid method \(String(reflecting: method))") }
        if let body = request.body {
            // libcurl: with CURLOPT_COPYPOSTFIELDS "the size must be set by a previous call to
            // CURLOPT_POSTFIELDSIZE" when the data may contain zero bytes. COPY, because the Swift buffer is
            // temporary. It makes the request a POST; CUSTOMREQUEST below renames the method when needed.
            try set(CURLOPT_POSTFIELDSIZE_LARGE, offset: curl_off_t(body.count))
            let copied = body.withUnsafeBytes { bytes in
                let pointer = bytes.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start)
                return ccurl_setopt_pointer(raw, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: pointer))
            }
            try check(copied)
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
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
            }
        }
    }
}

@available(*, unavailable) extension EasyHandle: Sendable {}
