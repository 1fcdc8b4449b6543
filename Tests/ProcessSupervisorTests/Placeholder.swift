import Testing

@Test func placeholderProcessSupervisor() { #expect(Bool(true)) }
