import Testing

@Test func placeholderSweepModelTests() { #expect(Bool(true)) }
