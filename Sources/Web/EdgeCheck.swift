/// The edge of the API: text PostgreSQL cannot hold (NUL, invalid UTF-8) in a path, a query or a header is
/// answered 400 before any handler runs, so no store ever binds it (libpq refuses such a parameter, which would be
/// a 500). JSON bodies get the same check in `Request.jsonBody()`.
public enum EdgeCheck {
    /// The decoded query parameters; 400 `invalid_parameter` naming the first parameter that is malformed, not
    /// UTF-8, or holds a NUL. Repeated names keep their first value.
    public static func query(_ raw: String) throws(APIError) -> [String: String] {
        var result: [String: String] = [:]
        for pair in raw.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let rawKey = String(parts[0])
            guard let key = QueryString.percentDecode(rawKey, plusAsSpace: true), storable(key) else {
                throw APIError.badRequest("invalid_parameter", "a query parameter name is not valid percent-encoded UTF-8 text without NUL", field: rawKey)
            }
            guard !key.isEmpty else { continue }
            let value = parts.count > 1 ? QueryString.percentDecode(String(parts[1]), plusAsSpace: true) : ""
            guard let value, storable(value) else {
                throw APIError.badRequest("invalid_parameter", "query parameter \(key) is not valid percent-encoded UTF-8 text without NUL", field: key)
            }
            if result[key] == nil { result[key] = value }
        }
        return result
    }

    /// 400 `invalid_path` when a path segment decodes to something no id can be (malformed escapes, invalid UTF-8,
    /// NUL). The router still answers 404 for well-formed paths it does not know.
    public static func path(_ path: String) throws(APIError) {
        // Without an escape a segment decodes to itself (valid UTF-8, being a String): only NUL is left to find.
        if !path.utf8.contains(UInt8(ascii: "%")), storable(path) { return }
        for segment in path.split(separator: "/") {
            guard let decoded = QueryString.percentDecode(String(segment)), storable(decoded) else {
                throw APIError.badRequest("invalid_path", "the path holds a segment that is not valid percent-encoded UTF-8 text without NUL")
            }
        }
    }

    /// 400 `invalid_header` for a header whose value is not UTF-8 (a NUL cannot reach us: it ends a CGI parameter).
    public static func header(name: String, bytes: some Collection<UInt8>) throws(APIError) -> String {
        guard let value = String(validating: bytes, as: UTF8.self), storable(value) else {
            throw APIError.badRequest("invalid_header", "header \(name) is not valid UTF-8 text without NUL", field: name)
        }
        return value
    }

    /// Valid UTF-8 (a Swift string always is) without NUL.
    public static func storable(_ text: String) -> Bool { !text.utf8.contains(0) }
}
