import CCrypto

/// SHA-256 over data that arrives in pieces (a streamed upload), through libcrypto's EVP digest context.
/// Not Sendable: one hasher belongs to one upload on one thread.
public final class SHA256Hasher {
    private let context: OpaquePointer

    public init() {
        // libcrypto: EVP_MD_CTX_new returns NULL only when out of memory.
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed") }
        self.context = context
        precondition(EVP_DigestInit_ex(context, sha256Algorithm, nil) == 1, "libcrypto EVP_DigestInit_ex(SHA-256) failed")
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        precondition(EVP_DigestUpdate(context, base, bytes.count) == 1, "libcrypto EVP_DigestUpdate failed")
    }

    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything given so far, as lowercase hex. Call once.
    public func finalizeHex() -> String {
        var out = [UInt8](repeating: 0, count: Digest.sha256Length)
        var length: UInt32 = 0
        let ok = out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        precondition(ok == 1 && length == UInt32(Digest.sha256Length), "libcrypto EVP_DigestFinal_ex failed")
        return Hex.encode(out)
    }
}

@available(*, unavailable) extension SHA256Hasher: Sendable {}
