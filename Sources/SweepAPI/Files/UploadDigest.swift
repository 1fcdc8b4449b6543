import SweepCrypto
import Web

/// The SHA-256 a client announces for an upload: `X-Sweep-Sha256: <64 hex digits>`, or RFC 9530's
/// `Content-Digest: sha-256=:<base64>:` (other algorithms in that header are ignored).
enum UploadDigest {
    /// The announced digest as lowercase hex, nil when none was announced; 400 when the header is malformed.
    static func expectedSHA256(_ request: Request) throws(APIError) -> String? {
        if let hex = request.header("x-sweep-sha256") {
            let lower = hex.trimmingSpaces.lowercased()
            guard lower.utf8.count == 64, Hex.decode(lower) != nil else {
                throw APIError.badRequest("invalid_header", "X-Sweep-Sha256 must be 64 hexadecimal digits", field: "X-Sweep-Sha256")
            }
            return lower
        }
        guard let header = request.header("content-digest") else { return nil }
        for member in header.split(separator: ",") {
            let pair = member.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingSpaces.lowercased() == "sha-256" else { continue }
            let value = pair[1].trimmingSpaces
            guard value.hasPrefix(":"), value.hasSuffix(":"), value.count > 2,
                  let bytes = base64(String(value.dropFirst().dropLast())), bytes.count == Digest.sha256Length else {
                throw APIError.badRequest("invalid_header", "Content-Digest sha-256 must be :<base64 of 32 bytes>:", field: "Content-Digest")
            }
            return Hex.encode(bytes)
        }
        return nil
    }

    /// The header that carried the digest, for the error's `field`.
    static func headerField(_ request: Request) -> String {
        request.header("x-sweep-sha256") != nil ? "X-Sweep-Sha256" : "Content-Digest"
    }

    /// Standard base64 through the URL-safe decoder (same alphabet but two characters, padding optional).
    private static func base64(_ text: String) -> [UInt8]? {
        var url = ""
        for character in text {
            switch character {
            case "+": url.append("-")
            case "/": url.append("_")
            case "=": continue
            case "-", "_": return nil
            default: url.append(character)
            }
        }
        return Base64URL.decode(url)
    }
}
