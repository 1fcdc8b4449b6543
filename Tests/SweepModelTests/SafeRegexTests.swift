import Testing
@testable import SweepModel

@Suite struct SafeRegexTests {
    func matches(_ pattern: String, _ text: String) throws -> Bool { try SafeRegex(pattern).matches(text) }

    @Test func commonPatterns() throws {
        #expect(try matches("^[a-z]{1,20}$", "ada"))
        #expect(try !matches("^[a-z]{1,20}$", "Ada"))
        #expect(try !matches("^[a-z]{1,3}$", "adam"))
        #expect(try matches("^\\d{3}-\\d{4}$", "555-1234"))
        #expect(try matches("^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", "ada@example.org"))
        #expect(try !matches("^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", "ada@example"))
        #expect(try matches("^(?:red|green|blue)$", "green"))
        #expect(try !matches("^(red|green|blue)$", "greenish"))
        #expect(try matches("b+", "abbbc"))  // unanchored: some part matches
        #expect(try matches("^a*$", ""))
        #expect(try matches("^x?y+$", "yy"))
        #expect(try matches("^\\.\\*$", ".*"))
        #expect(try matches("^[a\\-z]$", "-"))
    }

    @Test func catastrophicPatternsStayLinear() throws {
        let regex = try SafeRegex("^(a+)+$")
        let clock = ContinuousClock()
        let elapsed = clock.measure { #expect(!regex.matches(String(repeating: "a", count: 5000) + "!")) }
        #expect(elapsed < .seconds(2))
        #expect(try matches("^(a|aa)*$", String(repeating: "a", count: 3000)))
    }

    @Test func refusedPatterns() {
        for pattern in ["(a", "a)", "*a", "(?=a)", "(a)\\1", "\\bword", "a{3,1}", "a{2000}", String(repeating: "a", count: 600),
                        "(((a{1000}){1000}))"] {
            #expect(throws: SafeRegex.SyntaxError.self, "\(pattern)") { try SafeRegex(pattern) }
        }
    }
}
