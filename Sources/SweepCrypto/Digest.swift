import CCrypto

/// SHA-256 and HMAC-SHA-256 over byte arrays, through libcrypto's one-shot functions.
public enum Digest {
    /// Length in bytes of a SHA-256 digest (and of an HMAC-SHA-256 tag).
    public static let sha256Length = 32

    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: sha256Length)
        var outLength: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer { output in
                // libcrypto: EVP_Digest "returns 1 for success and 0 for failure"; SHA-256 over memory only fails
                // when the library itself is broken.
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &outLength, sha256Algorithm, nil)
            }
        }
        precondition(ok == 1 && outLength == UInt32(sha256Length), "libcrypto EVP_Digest(SHA-256) failed")
        return out
    }

    public static func sha256(_ string: String) -> [UInt8] {
        sha256(Array(string.utf8))
    }

    /// Lowercase hex of the SHA-256 digest.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        Hex.encode(sha256(bytes))
    }

    public static func sha256Hex(_ string: String) -> String {
        Hex.encode(sha256(string))
    }

    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        precondition(key.count <= Int(Int32.max), "HMAC key too long")
        var out = [UInt8](repeating: 0, count: sha256Length)
        var outLength: UInt32 = 0
        let result = key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                out.withUnsafeMutableBufferPointer { output in
                    // libcrypto: HMAC() "returns a pointer to the authentication code or NULL if an error
                    // occurred". An empty key arrives as a NULL pointer with length 0, which HMAC accepts.
                    HMAC(sha256Algorithm, keyBytes.baseAddress, Int32(keyBytes.count),
                         messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), messageBytes.count,
                         output.baseAddress, &outLength)
                }
            }
        }
        precondition(result != nil && outLength == UInt32(sha256Length), "libcrypto HMAC(SHA-256) failed")
        return out
    }

    public static func hmacSHA256(key: [UInt8], message: String) -> [UInt8] {
        hmacSHA256(key: key, message: Array(message.utf8))
    }
}
