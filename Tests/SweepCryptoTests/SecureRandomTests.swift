import Testing
import SweepCrypto

@Suite struct SecureRandomTests {
    @Test func bytesHaveTheRequestedLength() {
        #expect(SecureRandom.bytes(0).isEmpty)
        #expect(SecureRandom.bytes(1).count == 1)
        #expect(SecureRandom.bytes(64).count == 64)
        #expect(SecureRandom.bytes(32) != SecureRandom.bytes(32))
    }

    @Test func tokenLengthAndAlphabet() {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let token = SecureRandom.token()
        #expect(token.count == 43)  // 32 bytes = 256 bits, 6 bits per character, no padding
        #expect(token.allSatisfy { allowed.contains($0) })
        #expect(SecureRandom.token(byteCount: 16).count == 22)
        #expect(Base64URL.decode(token)?.count == 32)
    }

    @Test func tokensAreUnique() {
        let tokens = (0..<10_000).map { _ in SecureRandom.token(byteCount: 16) }
        #expect(Set(tokens).count == tokens.count)
    }
}
