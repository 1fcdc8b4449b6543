import Testing
import SweepJSON

@Suite struct JSONParserTests {
    @Test func parsesScalarsKeepingIntAndDoubleApart() throws {
        #expect(try JSONParser.parse("3") == .int(3))
        #expect(try JSONParser.parse("3.0") == .double(3.0))
        #expect(try JSONParser.parse("-1e2") == .double(-100))
        #expect(try JSONParser.parse("true") == .bool(true))
        #expect(try JSONParser.parse(" null ") == .null)
    }

    @Test func parsesNestedDocuments() throws {
        let v = try JSONParser.parse(#"{"a":[1,{"b":"c\u00e9\n"}],"d":{}}"#)
        #expect(v == ["a": [1, ["b": "cé\n"]], "d": [:]])
    }

    @Test func decodesSurrogatePairs() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"abc", "tru", "{\"a\":1}x", "\"\\x\"", "\"\\ud800\""])
    func rejectsMalformed(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func boundsNestingDepth() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
    }

    @Test func serializesCanonicallyAndRoundTrips() throws {
        let v: JSONValue = ["b": 1, "a": [true, nil, 2.5, "x\"y"]]
        #expect(v.jsonString == #"{"a":[true,null,2.5,"x\"y"],"b":1}"#)
        #expect(try JSONParser.parse(v.jsonString) == v)
        #expect(JSONValue.double(3).jsonString == "3.0")
    }
}

@Suite struct JSONSerializationTests {
    @Test func escapesControlCharactersAndLineSeparators() throws {
        let text = "a\u{1}b\u{2028}c\"\\\n\té😀"
        let json = JSONValue.string(text).jsonString
        #expect(json == #""a\u0001b\u2028c\"\\\n\té😀""#)
        #expect(try JSONParser.parse(json) == .string(text))
    }

    @Test func serializesLargeDocumentsThatRoundTrip() throws {
        // About 5 MB: large enough that a per-append copy of the output would make this test crawl.
        let big: JSONValue = .array((0..<200_000).map { ["name": .string("run_\($0)"), "value": .int(Int64($0))] })
        let bytes = big.jsonBytes
        #expect(bytes.count > 4_000_000)
        #expect(try JSONParser.parse(bytes) == big)
    }
}
