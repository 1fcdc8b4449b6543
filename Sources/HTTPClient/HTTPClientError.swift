import CCurl

/// Why an exchange produced no response. One error type for the subsystem, with an extensible code.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The request never reached a server (connection refused, host unknown): always safe to retry.
        public static let couldNotConnect = Code(rawValue: "could_not_connect")
        /// `timeout` (or a stream's `idleTimeout`) passed; the server may have acted on the request.
        public static let timedOut = Code(rawValue: "timed_out")
        /// Cancelled by the caller (`HTTPMultiClient.cancel`).
        public static let aborted = Code(rawValue: "aborted")
        /// Refused before sending: malformed URL, unsupported scheme, a header with CR/LF, a bad method.
        public static let invalidRequest = Code(rawValue: "invalid_request")
        /// The egress policy refused every address the host resolved to; the message names the address.
        public static let egressDenied = Code(rawValue: "egress_denied")
        /// Anything else libcurl reports (TLS failure, connection reset, malformed response, …).
        public static let other = Code(rawValue: "other")

        public var description: String { rawValue }
    }

    public let code: Code
    public let message: String
    /// The libcurl result code, when libcurl produced the error.
    public let curlCode: Int?

    public init(code: Code, message: String, curlCode: Int? = nil) {
        self.code = code
        self.message = message
        self.curlCode = curlCode
    }

    public var description: String { "HTTPClientError(\(code)): \(message)" }

    static func invalidRequest(_ message: String) -> HTTPClientError {
        HTTPClientError(code: .invalidRequest, message: message)
    }

    /// Maps a failed `CURLcode`; `detail` is the handle's CURLOPT_ERRORBUFFER text when there is one.
    init(curl result: CURLcode, detail: String) {
        let code: Code = switch result {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .couldNotConnect
        case CURLE_OPERATION_TIMEDOUT: .timedOut
        case CURLE_ABORTED_BY_CALLBACK: .aborted
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: .invalidRequest
        default: .other
        }
        let summary = String(cString: curl_easy_strerror(result))
        self.init(code: code, message: detail.isEmpty ? summary : "\(summary): \(detail)",
                  curlCode: Int(result.rawValue))
    }
}
