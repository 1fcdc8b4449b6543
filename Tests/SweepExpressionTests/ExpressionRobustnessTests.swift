import SweepExpression
import SweepJSON
import Testing

/// Garbled input must produce a result or an ExpressionError, never a trap. Mutations are deterministic
/// (a fixed-seed generator) so a failure reproduces.
@Suite struct ExpressionRobustnessTests {
    /// SplitMix64: tiny, seedable, good enough to pick characters.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let alphabet = Array("()[]{}'\"\\:,.+-*/%<>=!0123456789eExjabn _#\n" + "é") + ["**", "//", " if ", " else ", " not ", " in ", " and ", "9223372036854775807", "len(", "range(", "str("].flatMap { Array($0) }

    @Test func mutatedExpressionsNeverTrap() {
        var generator = Generator(state: 42)
        let sources = ExpressionTableTests.all.map(\.source).filter { $0.count < 120 }
        var evaluated = 0
        for source in sources {
            for _ in 0..<25 {
                var characters = Array(source)
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    let position = characters.isEmpty ? 0 : Int.random(in: 0..<characters.count, using: &generator)
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0 where !characters.isEmpty: characters.remove(at: position)
                    case 1: characters.insert(Self.alphabet.randomElement(using: &generator)!, at: position)
                    default:
                        if !characters.isEmpty { characters[position] = Self.alphabet.randomElement(using: &generator)! }
                    }
                }
                do {
                    _ = try Expression(parsing: String(characters)).evaluate(ExpressionCase.bindings)
                    evaluated += 1
                } catch {
                    // Any ExpressionError is fine; reaching here at all means no trap.
                    #expect(!error.message.isEmpty)
                }
            }
        }
        #expect(evaluated > 0)
    }
}
