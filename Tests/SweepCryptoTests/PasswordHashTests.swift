import Testing
import SweepCrypto

@Suite struct PasswordHashTests {
    @Test func roundTrip() throws {
        let hash = try PasswordHash.make("correct horse battery staple")
        #expect(hash.hasPrefix("$y$"))
        #expect(PasswordHash.verify("correct horse battery staple", hash: hash))
        #expect(!PasswordHash.verify("correct horse battery stapler", hash: hash))
        #expect(!PasswordHash.verify("", hash: hash))
    }

    @Test func sameRandomPasswordHashesDifferently() throws {
        let password = SecureRandom.token()
        let first = try PasswordHash.make(password)
        let second = try PasswordHash.make(password)
        #expect(first != second)
        #expect(PasswordHash.verify(password, hash: first))
        #expect(PasswordHash.verify(password, hash: second))
    }

    @Test func unicodeAndLongPasswords() throws {
        let unicode = "pässwörd 🔑 пароль"
        #expect(PasswordHash.verify(unicode, hash: try PasswordHash.make(unicode)))
        let longest = String(repeating: "x", count: PasswordHash.maxPasswordBytes)
        #expect(PasswordHash.verify(longest, hash: try PasswordHash.make(longest)))
        #expect(throws: PasswordHashError.self) { try PasswordHash.make(longest + "x") }
    }

    @Test func passwordWithNULIsRejectedNotTruncated() throws {
        #expect(throws: PasswordHashError.self) { try PasswordHash.make("abc\u{0}def") }
        let hash = try PasswordHash.make("abc")
        #expect(!PasswordHash.verify("abc\u{0}def", hash: hash))
    }

    @Test(arguments: ["", "*", "*0", "$y$", "$y$j9T$", "$y$garbage", "$1$abc$def", "plain", "$6$salt$hash"])
    func invalidStoredHashIsFalse(stored: String) {
        #expect(!PasswordHash.verify("password", hash: stored))
    }

    @Test func tamperedHashIsFalse() throws {
        let hash = try PasswordHash.make("secret")
        var tampered = Array(hash.utf8)
        tampered[tampered.count - 1] = tampered.last == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(!PasswordHash.verify("secret", hash: String(decoding: tampered, as: UTF8.self)))
    }

    @Test func dummyVerifyIsFalse() {
        #expect(!PasswordHash.dummyVerify("anything"))
    }

    @Test func concurrentHashingIsSafe() async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<4 {
                group.addTask {
                    let password = "password-\(index)"
                    let hash = try PasswordHash.make(password, cost: 1)
                    return PasswordHash.verify(password, hash: hash) && !PasswordHash.verify("other", hash: hash)
                }
            }
            for try await ok in group { #expect(ok) }
        }
    }
}
