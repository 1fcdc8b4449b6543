import CCrypto

/// Compares two byte strings in time that depends only on their lengths (`CRYPTO_memcmp`), never on where they
/// first differ. Lengths are not secret (tokens and MACs have fixed lengths), so unequal lengths return at once.
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    guard !a.isEmpty else { return true }
    return a.withUnsafeBytes { left in
        b.withUnsafeBytes { right in
            CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
        }
    }
}

/// `constantTimeEquals` over the UTF-8 bytes of two strings (tokens, hex MACs).
public func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    constantTimeEquals(Array(a.utf8), Array(b.utf8))
}
