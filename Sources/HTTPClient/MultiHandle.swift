import CCurl

/// Owns one `CURLM` multi handle. Shared between `HTTPMultiClient` (which does everything on its thread) and
/// `HTTPMultiClient.Remote` (which only calls `curl_multi_wakeup`), so it is freed when the last of them goes.
final class MultiHandle: @unchecked Sendable {  // off the owning thread only curl_multi_wakeup, which libcurl documents as thread-safe
    let raw: UnsafeMutableRawPointer

    init() {
        HTTPClient.globalInit()
        guard let raw = curl_multi_init() else { fatalError("curl_multi_init failed (out of memory)") }
        self.raw = raw
    }

    func set(_ option: CURLMoption, _ value: Int) {
        let result = ccurl_multi_setopt_long(raw, option, value)
        precondition(result == CURLM_OK, "curl_multi_setopt failed: \(String(cString: curl_multi_strerror(result)))")
    }

    /// libcurl: "This function can be called from any thread" and makes a blocked curl_multi_poll return.
    func wakeUp() {
        _ = curl_multi_wakeup(raw)
    }

    // libcurl: the easy handles must be removed before curl_multi_cleanup; HTTPMultiClient.deinit does that, and
    // a Remote never adds any.
    deinit { curl_multi_cleanup(raw) }
}
