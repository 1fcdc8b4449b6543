import CCrypto

/// libcrypto's SHA-256, fetched once. OpenSSL 3 looks `EVP_sha256()` up again on every digest: 0.47 against
/// 0.15 us for a 48-byte API key here, and every authenticated request hashes one.
/// `nonisolated(unsafe)`: a fetched EVP_MD is immutable and libcrypto documents it as safe to share across threads.
nonisolated(unsafe) let sha256Algorithm: OpaquePointer = {
    // libcrypto: EVP_MD_fetch returns NULL only when no provider offers the algorithm (a broken installation).
    guard let algorithm = EVP_MD_fetch(nil, "SHA256", nil) else { fatalError("libcrypto has no SHA-256") }
    return algorithm
}()
