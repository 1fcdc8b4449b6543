import Testing
import SweepJSON

/// The escaper over bytes (a database cell read in place) writes what the String one does, and what the parser
/// reads back as the same string.
@Suite struct JSONEscapeTests {
    @Test(arguments: ["", "1_AB", "quote\" back\\ nl\n cr\r tab\t", "\u{1}\u{1F}\u{0}", "é😀", "\u{2028}\u{2029}x", "ends with \u{E2}"])
    func bytesEscapeLikeStrings(_ text: String) throws {
        var fromString: [UInt8] = []
        JSONValue.writeEscaped(text, to: &fromString)
        var fromBytes: [UInt8] = []
        Array(text.utf8).withUnsafeBufferPointer { JSONValue.writeEscaped(utf8: $0, to: &fromBytes) }
        #expect(fromBytes == fromString)
        #expect(try JSONParser.parse(fromBytes) == .string(text))
    }
}
