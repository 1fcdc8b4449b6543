import SweepJSON
import Testing

@Test func depthOfTextCountsBracketsOutsideStringsAsTheParserDoes() throws {
    let texts = [#"1"#, #"{}"#, #"[]"#, #"{"a": [1, {"b": []}]}"#, #"{"a": "[[[{{{", "b": "\"[", "c": ["\\"]}"#, #"[[["]]]"]]]"#]
    for text in texts {
        #expect(JSONDepth.of(Array(text.utf8)) == (try JSONParser.parse(text)).nestingDepth, "\(text)")
    }
}

@Test func subsequencesAreFoundInBytes() {
    let bytes = Array(#"{"input": {"sweep": 1}}"#.utf8)
    #expect(bytes.contains(subsequence: Array(#""sweep""#.utf8)))
    #expect(!bytes.contains(subsequence: Array(#""sweeps""#.utf8)))
    #expect(bytes.firstIndex(ofSubsequence: Array("input".utf8)) == 2)
    #expect(bytes.firstIndex(ofSubsequence: Array(repeating: 0x20, count: 100)) == nil)
}
