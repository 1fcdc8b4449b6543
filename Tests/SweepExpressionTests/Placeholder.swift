import Testing

@Test func placeholderSweepExpressionTests() { #expect(Bool(true)) }
