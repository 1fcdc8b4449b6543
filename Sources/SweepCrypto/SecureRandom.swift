import CCrypto

/// Bytes and tokens from OpenSSL's CSPRNG.
public enum SecureRandom {
    /// `count` bytes from `RAND_bytes`. Traps only when the CSPRNG itself fails: nothing secure can continue then.
    public static func bytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0 && count <= Int(Int32.max), "SecureRandom.bytes: bad count \(count)")
        guard count > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer { buffer in
            // libcrypto: RAND_bytes "returns 1 on success, -1 if not supported by the current RAND method,
            // or 0 on other failure".
            RAND_bytes(buffer.baseAddress, Int32(count))
        }
        if ok != 1 { fatalError("RAND_bytes failed: the CSPRNG is unavailable") }
        return out
    }

    /// A random token: `byteCount` random bytes as unpadded base64url (43 characters for the default 32 bytes).
    public static func token(byteCount: Int = 32) -> String {
        Base64URL.encode(bytes(byteCount))
    }
}
