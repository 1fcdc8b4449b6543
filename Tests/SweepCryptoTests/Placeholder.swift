import Testing

@Test func placeholderSweepCryptoTests() { #expect(Bool(true)) }
