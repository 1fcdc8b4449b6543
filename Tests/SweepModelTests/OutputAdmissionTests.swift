import Testing
import SweepJSON
@testable import SweepModel

/// `OutputAdmission`: what an executor may record, and the reason given for what it may not.
@Suite struct OutputAdmissionTests {
    let admission = OutputAdmission()

    static func nested(_ depth: Int, leaf: JSONValue = 1) -> JSONValue {
        var value = leaf
        for _ in 0..<depth { value = ["x": value] }
        return value
    }

    static func text(nestedObjects depth: Int) -> [UInt8] {
        Array((String(repeating: #"{"x":"#, count: depth) + "1" + String(repeating: "}", count: depth)).utf8)
    }

    @Test func defaultsLeaveHeadroomBelowTheParserDepth() {
        #expect(OutputAdmission.defaultMaxDepth == JSONParser.defaultMaxDepth - OutputAdmission.inputHeadroom)
        #expect(OutputAdmission.defaultMaxDepth < 127)
        #expect(OutputAdmission.defaultMaxBytes == 1 << 20)
    }

    @Test(arguments: [#"{}"#, #"{"a":[1,2.5,null,true,"é😀"]}"#, #"{"s":"tab\there"}"#])
    func ordinaryOutputsPass(_ text: String) throws {
        #expect(admission.decode(Array(text.utf8)) == .value(try JSONParser.parse(text)))
        #expect(admission.problem(in: try JSONParser.parse(text)) == nil)
    }

    @Test func nulInAStringIsRejectedWithItsPointer() {
        guard case .rejected(let reason) = admission.decode(Array(#"{"x":"a\u0000b"}"#.utf8)) else { Issue.record("not rejected"); return }
        #expect(reason.contains("NUL"))
        #expect(reason.contains("/x"))
        #expect(OutputAdmission.message(reason).hasPrefix("output_rejected: "))
    }

    @Test func nulInAKeyOrDeepInAnArrayIsRejected() {
        #expect(admission.problem(in: ["k\u{0}": 1])?.contains("NUL") == true)
        #expect(admission.problem(in: ["a": [1, ["b": "\u{0}"]]])?.contains("/a/1/b") == true)
        #expect(admission.problem(in: .string("\u{0}"))?.contains("at /") == true)
    }

    @Test func invalidUTF8IsRejectedNotCalledMalformed() {
        let bytes: [UInt8] = Array(#"{"x":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)
        #expect(admission.decode(bytes) == .rejected("the output is not valid UTF-8"))
    }

    @Test func depthAtTheLimitPassesOneMoreIsRejected() {
        let limit = admission.maxDepth
        #expect(admission.decode(Self.text(nestedObjects: limit)) == .value(Self.nested(limit)))
        guard case .rejected(let reason) = admission.decode(Self.text(nestedObjects: limit + 1)) else { Issue.record("not rejected"); return }
        #expect(reason.contains("deeper than \(limit)"))
        #expect(admission.problem(in: Self.nested(limit)) == nil)
        #expect(admission.problem(in: Self.nested(limit + 1))?.contains("\(limit + 1) levels") == true)
    }

    /// The case of the issue: an output nested 127 deep must not become a successor input the parser refuses.
    @Test func anOutputThatWouldBreakItsSuccessorsInputIsRejected() throws {
        #expect(admission.decode(Self.text(nestedObjects: 127)) != .value(Self.nested(127)))
        // Anything admitted still parses back inside predecessor_outputs, gathered under a few scatter levels.
        var input = Self.nested(admission.maxDepth)
        for _ in 0..<(OutputAdmission.inputHeadroom - 2) { input = [input] }
        input = ["predecessor_outputs": ["1": input]]
        #expect(input.nestingDepth == JSONParser.defaultMaxDepth)
        #expect(try JSONParser.parse(input.jsonBytes) == input)
    }

    @Test func bracketsInsideStringsDoNotCountAsDepth() {
        let text = #"{"x":"[[[[{{{{\"]]]"}"#
        #expect(JSONDepth.of(Array(text.utf8)) == 1)
        #expect(JSONDepth.of(Self.text(nestedObjects: 300)) == 300)
    }

    @Test func malformedAnswersAreLeftToTheCaller() {
        guard case .malformed = admission.decode(Array("not json".utf8)) else { Issue.record("expected malformed"); return }
        guard case .malformed = admission.decode(Array(#"{"a":"#.utf8)) else { Issue.record("expected malformed"); return }
    }

    @Test func sizeIsBoundedOnRawBytesAndOnTheFinalValue() {
        let small = OutputAdmission(maxBytes: 20)
        #expect(small.decode(Array(#"{"a":"0123456789"}"#.utf8)) == .value(["a": "0123456789"]))
        guard case .rejected(let reason) = small.decode(Array(#"{"a":"0123456789012345"}"#.utf8)) else { Issue.record("not rejected"); return }
        #expect(reason.contains("more than the limit of 20"))
        // static_output merged after decoding can push the stored value over.
        #expect(small.problem(in: ["a": "0123456789", "static_output": "x"])?.contains("more than 20 bytes") == true)
    }
}

/// `StorableText`: log text and messages are repaired, never refused.
@Suite struct StorableTextTests {
    @Test func nulIsDroppedAndInvalidUTF8Replaced() {
        #expect(StorableText.sanitised([0x61, 0x00, 0x62]) == "ab")
        #expect(StorableText.sanitised([0x61, 0xFF, 0x62]) == "a\u{FFFD}b")
        #expect(StorableText.sanitised("a\u{0}b\u{0}") == "ab")
        #expect(StorableText.sanitised("plain é") == "plain é")
    }

    @Test func problemsAreNamed() {
        #expect(StorableText.problem(in: Array("ok".utf8)) == nil)
        #expect(StorableText.problem(in: [0x61, 0x00])?.contains("NUL") == true)
        #expect(StorableText.problem(in: [0xC3])?.contains("UTF-8") == true)
    }
}
