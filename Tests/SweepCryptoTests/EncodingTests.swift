import Testing
import SweepCrypto

@Suite struct EncodingTests {
    // RFC 4648 §10 vectors, without padding.
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ])
    func base64URLVectors(plain: String, encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test func base64URLUsesTheURLAlphabet() {
        #expect(Base64URL.encode([0xfb, 0xff, 0xbf]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xfb, 0xff, 0xbf])
    }

    @Test func base64URLRejectsGarbage() {
        #expect(Base64URL.decode("Zm9v+") == nil)  // standard-alphabet character
        #expect(Base64URL.decode("Z") == nil)      // impossible length
        #expect(Base64URL.decode("Zh") == nil)     // non-zero leftover bits
        #expect(Base64URL.decode("Zm9v YQ") == nil)
        #expect(Base64URL.decode("Zg==") == Array("f".utf8))  // padding tolerated
    }

    @Test func base64URLRoundTripsRandomBytes() {
        for count in 0..<70 {
            let bytes = SecureRandom.bytes(count)
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
    }

    @Test func hexEncodeAndDecode() {
        #expect(Hex.encode([0x00, 0x0f, 0xa5, 0xff]) == "000fa5ff")
        #expect(Hex.decode("000FA5ff") == [0x00, 0x0f, 0xa5, 0xff])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.encode([]) == "")
    }
}
