import CCrypto
#if canImport(Glibc)
import Glibc
#endif

/// Secrets at rest: AES-256-GCM with a 256-bit key the database never sees. A sealed value is
/// `v1:` + base64url(nonce 12 bytes | ciphertext | tag 16 bytes); the associated data binds it to where it is
/// stored (a sealed value copied into another row or another tenant does not open there).
public struct SecretBox: Sendable {
    public static let keyBytes = 32
    static let nonceBytes = 12
    static let tagBytes = 16
    static let prefix = "v1:"

    private let key: [UInt8]

    public init(key: [UInt8]) throws(SecretBoxError) {
        guard key.count == Self.keyBytes else { throw .badKey("the key must be \(Self.keyBytes) bytes, not \(key.count)") }
        self.key = key
    }

    /// The key in a file of 64 hex digits (surrounding whitespace ignored), e.g. as made by
    /// `od -An -tx1 -N32 /dev/urandom | tr -d ' \n'`. Refused when group or others may read it.
    public init(keyFile path: String) throws(SecretBoxError) {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .badKey("cannot open the key file \(path) (errno \(errno))") }
        defer { Glibc.close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .badKey("cannot stat the key file \(path)") }
        guard info.st_mode & 0o077 == 0 else {
            throw .badKey("the key file \(path) may be read by group or others (mode \(String(info.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { throw .badKey("the key file \(path) is empty") }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).filter { !$0.isWhitespace }
        guard let key = Hex.decode(text) else { throw .badKey("the key file \(path) must hold \(Self.keyBytes * 2) hex digits") }
        try self.init(key: key)
    }

    public func seal(_ plaintext: [UInt8], associatedData: [UInt8]) -> String {
        precondition(plaintext.count < Int(Int32.max) && associatedData.count < Int(Int32.max))
        let nonce = SecureRandom.bytes(Self.nonceBytes)
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        var tag = [UInt8](repeating: 0, count: Self.tagBytes)
        let ok = ccrypto_aes256gcm_seal(key, nonce, associatedData, Int32(associatedData.count), plaintext,
                                        Int32(plaintext.count), &ciphertext, &tag)
        // libcrypto fails here only without memory or without AES-GCM: nothing may be stored in the clear then.
        guard ok == 1 else { fatalError("AES-256-GCM encryption failed") }
        return Self.prefix + Base64URL.encode(nonce + ciphertext + tag)
    }

    public func open(_ sealed: String, associatedData: [UInt8]) throws(SecretBoxError) -> [UInt8] {
        guard sealed.hasPrefix(Self.prefix), let bytes = Base64URL.decode(String(sealed.dropFirst(Self.prefix.count))),
              bytes.count >= Self.nonceBytes + Self.tagBytes else { throw .notSealed }
        let nonce = Array(bytes[0..<Self.nonceBytes])
        let ciphertext = Array(bytes[Self.nonceBytes..<(bytes.count - Self.tagBytes)])
        let tag = Array(bytes[(bytes.count - Self.tagBytes)...])
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        guard ccrypto_aes256gcm_open(key, nonce, associatedData, Int32(associatedData.count), ciphertext,
                                     Int32(ciphertext.count), tag, &plaintext) == 1 else { throw .forged }
        return plaintext
    }

    /// Whether a stored value is sealed (rows written before encryption hold plain JSON).
    public static func isSealed(_ value: String) -> Bool { value.hasPrefix(prefix) }
}

public enum SecretBoxError: Error, Sendable, Equatable, CustomStringConvertible {
    case badKey(String)
    /// Not a `v1:` value.
    case notSealed
    /// The tag did not verify: another key, other associated data, or a changed byte.
    case forged

    public var description: String {
        switch self {
        case .badKey(let why): "secret key: \(why)"
        case .notSealed: "the value is not sealed"
        case .forged: "the sealed value does not verify (wrong key, wrong row, or altered)"
        }
    }
}
