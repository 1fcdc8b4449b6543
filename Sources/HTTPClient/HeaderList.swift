import CCurl

/// Owns one `curl_slist` of request header lines.
/// libcurl: CURLOPT_HTTPHEADER "does not copy the list, it needs to be kept around until after the transfer has
/// completed", so the transfer that uses it holds this object until it is done.
final class HeaderList {
    private(set) var raw: UnsafeMutablePointer<curl_slist>?

    init() {}

    func append(_ line: String) throws(HTTPClientError) {
        // libcurl: curl_slist_append returns NULL on failure and leaves the old list intact.
        guard let updated = curl_slist_append(raw, line) else {
            throw HTTPClientError(code: .other, message: "curl_slist_append failed (out of memory)")
        }
        raw = updated
    }

    deinit { curl_slist_free_all(raw) }
}

@available(*, unavailable) extension HeaderList: Sendable {}
