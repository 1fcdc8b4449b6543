import BlockingCalls
import CCrypto

/// Why a password could not be hashed.
public struct PasswordHashError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Longer than `PasswordHash.maxPasswordBytes` UTF-8 bytes (a 400 for the caller).
        public static let passwordTooLong = Code(rawValue: "password_too_long")
        /// Contains a NUL byte, which C would silently cut the password at (a 400 for the caller).
        public static let passwordContainsNUL = Code(rawValue: "password_contains_nul")
        /// libxcrypt failed (out of memory for yescrypt's working area, or no salt).
        public static let hashingFailed = Code(rawValue: "hashing_failed")
        public var description: String { rawValue }
    }

    public let code: Code
    public let message: String
    public var description: String { "\(code): \(message)" }
}

/// yescrypt password hashes (`$y$…`) through libxcrypt.
///
/// Thread-safe: every call hashes with `crypt_rn` into its own `struct crypt_data`-sized buffer (32 KiB), never
/// libxcrypt's static buffers. Each call costs tens of milliseconds of CPU by design: run it on a request thread,
/// not on the cooperative pool.
public enum PasswordHash {
    /// libxcrypt: "Passphrases longer than this (counting the terminating NUL) are not supported."
    public static let maxPasswordBytes = Int(CRYPT_MAX_PASSPHRASE_SIZE) - 1
    /// yescrypt cost passed to `crypt_gensalt` (1…11; libxcrypt's default is 5).
    public static let defaultCost = 5
    private static let prefix = "$y$"
    private static let saltBytes = 16

    /// Hashes `password` with a fresh random salt. The result (`$y$j9T$<salt>$<hash>`) stores its own settings.
    public static func make(_ password: String, cost: Int = defaultCost) throws(PasswordHashError) -> String {
        try check(password)
        let setting = try makeSetting(cost: cost)
        guard let hash = crypt(password, setting: setting) else {
            throw PasswordHashError(code: .hashingFailed, message: "crypt_rn failed for a fresh yescrypt setting")
        }
        return hash
    }

    /// Whether `password` matches `hash`, recomputed with the settings stored in `hash` and compared in constant
    /// time. A malformed, non-yescrypt or empty stored hash is simply false.
    public static func verify(_ password: String, hash: String) -> Bool {
        guard hash.hasPrefix(prefix), (try? check(password)) != nil,
              let computed = crypt(password, setting: hash) else { return false }
        return constantTimeEquals(Array(computed.utf8), Array(hash.utf8))
    }

    /// Spends the same work as `verify` against a real hash, for a login whose user does not exist, so response time
    /// does not reveal which accounts exist. Always false.
    @discardableResult
    public static func dummyVerify(_ password: String) -> Bool {
        // A bare setting has the same cost parameters as a real hash, so crypt_rn does the full work; the
        // comparison that follows then fails, as a wrong password would.
        _ = verify(password, hash: dummySetting)
        return false
    }

    /// Built once (cheap: no hashing) from the default cost, the same as every hash `make` produces.
    private static let dummySetting: String = {
        do { return try makeSetting(cost: defaultCost) } catch { fatalError("crypt_gensalt failed: \(error)") }
    }()

    private static func check(_ password: String) throws(PasswordHashError) {
        if password.utf8.contains(0) {
            throw PasswordHashError(code: .passwordContainsNUL, message: "password contains a NUL byte")
        }
        if password.utf8.count > maxPasswordBytes {
            throw PasswordHashError(code: .passwordTooLong,
                                    message: "password longer than \(maxPasswordBytes) bytes")
        }
    }

    private static func makeSetting(cost: Int) throws(PasswordHashError) -> String {
        precondition((1...11).contains(cost), "yescrypt cost must be 1...11")
        // Salt from our own CSPRNG rather than letting libxcrypt read the OS one, so one source of randomness
        // (RAND_bytes) covers the whole module.
        let salt = SecureRandom.bytes(saltBytes)
        let setting: String? = salt.withUnsafeBufferPointer { saltBuffer in
            saltBuffer.withMemoryRebound(to: CChar.self) { rbytes in
                // libxcrypt: crypt_gensalt_ra returns a string "allocated by malloc, and should be deallocated
                // with free"; NULL on error.
                guard let raw = crypt_gensalt_ra(prefix, UInt(cost), rbytes.baseAddress, Int32(rbytes.count))
                else { return nil }
                defer { free(raw) }
                return String(cString: raw)
            }
        }
        guard let setting else {
            throw PasswordHashError(code: .hashingFailed, message: "crypt_gensalt_ra failed")
        }
        return setting
    }

    /// `crypt_rn` with a private, zeroed `struct crypt_data`; nil on any failure.
    private static func crypt(_ password: String, setting: String) -> String? {
        let size = MemoryLayout<crypt_data>.size
        let data = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: MemoryLayout<crypt_data>.alignment)
        // libxcrypt: applications "should set this field to all bytes zero before calling crypt_r, crypt_rn, or
        // crypt_ra for the first time with a just-allocated 'struct crypt_data'".
        data.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        defer { data.deallocate() }
        // libxcrypt: crypt_rn, unlike crypt_r, "returns a null pointer" on error rather than a "*" string.
        // Tens of milliseconds by design: marked like a blocking call, so the worker lets another request thread run
        // meanwhile rather than hold one of its few running places (FastCGI's ActiveThreadGate).
        guard let result = BlockingCall.around({ crypt_rn(password, setting, data, Int32(size)) }) else { return nil }
        return String(cString: result)
    }
}
