import Testing
import SweepJSON

/// `nestingDepth` agrees with the parser's depth limit; `serializedSize` with `jsonBytes`.
@Suite struct JSONMeasureTests {
    static let samples: [JSONValue] = [
        .null, true, false, 0, -123456789, 2.5, 1e300, 3.0, "", "plain", "quote\" back\\ nl\n cr\r tab\t", "\u{1}\u{1F}",
        "é😀", "\u{2028}\u{2029}x", [], [:], [1, [2, [3]]], ["k\"ey": ["a": [], "b": [:]], "z": "\u{0}"],
    ]

    @Test(arguments: samples)
    func sizeMatchesTheSerializer(_ value: JSONValue) {
        #expect(value.serializedSize() == value.jsonBytes.count)
    }

    @Test func sizeStopsCountingPastTheLimit() {
        let big = JSONValue.array(Array(repeating: .string(String(repeating: "x", count: 1000)), count: 10_000))
        let counted = big.serializedSize(upTo: 5000)
        #expect(counted > 5000 && counted < 20_000)  // the full size is over 10 MB
    }

    @Test func depthMatchesWhatTheParserAccepts() throws {
        #expect(JSONValue.int(1).nestingDepth == 0)
        #expect(JSONValue.object([:]).nestingDepth == 1)
        #expect(JSONValue.array([[], [[1]]]).nestingDepth == 3)
        for depth in [1, 5, 128] {
            let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            let value = try JSONParser.parse(text, maxDepth: depth)
            #expect(value.nestingDepth == depth)
            #expect(throws: JSONParseError.self) { try JSONParser.parse(text, maxDepth: depth - 1) }
        }
    }
}
