import Testing

@Test func placeholderWebTests() { #expect(Bool(true)) }
