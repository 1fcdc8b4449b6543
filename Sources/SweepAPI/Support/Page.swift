import SweepCrypto
import SweepJSON
import Web

/// `limit` (default 50, 1-500) and an opaque `cursor` from the query; answers `{"items": [...], "next_cursor"}`.
struct Page {
    static let defaultLimit = 50
    static let maxLimit = 500

    let limit: Int
    /// The decoded cursor (the sort key of the last item of the previous page).
    let after: String?

    init(_ request: Request) throws(APIError) {
        if let text = request.filter("limit") {
            guard let value = Int(text), (1...Self.maxLimit).contains(value) else {
                throw APIError.badRequest("invalid_parameter", "limit must be an integer from 1 to \(Self.maxLimit)", field: "limit")
            }
            limit = value
        } else {
            limit = Self.defaultLimit
        }
        if let cursor = request.query["cursor"], !cursor.isEmpty {
            // Opaque base64url. A well-formed cursor this API did not issue is not an error: it simply positions
            // the page somewhere (keys compare as text, and every query is scoped to the caller anyway).
            let base64URL = cursor.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
            }
            guard base64URL, cursor.utf8.count <= 1024 else {
                throw APIError.badRequest("invalid_parameter", "cursor must be a next_cursor value this API returned", field: "cursor")
            }
            // What it decodes to is bound as text: a NUL or invalid UTF-8 (`ZLoAFgt1E0g`) would fail in PostgreSQL.
            if let bytes = Base64URL.decode(cursor) {
                guard let text = String(validating: bytes, as: UTF8.self), EdgeCheck.storable(text) else {
                    throw APIError.badRequest("invalid_parameter", "cursor must be a next_cursor value this API returned", field: "cursor")
                }
                after = text
            } else {
                after = cursor
            }
        } else {
            after = nil
        }
    }

    /// Fetch `limit + 1` rows, then call this: it trims the extra row and derives the next cursor from `key`.
    func response<T>(_ rows: [T], key: (T) -> String, render: (T) -> JSONValue) -> Response {
        let page = Array(rows.prefix(limit))
        let next: JSONValue = rows.count > limit ? .string(Base64URL.encode(Array(key(page.last!).utf8))) : .null
        return .json(["items": .array(page.map(render)), "next_cursor": next])
    }
}
