import SweepJSON
import Testing

/// Numbers neither Int64 nor Double holds exactly are kept, never rounded (README, "Numbers are kept exactly").
@Suite struct ExactNumberTests {
    /// Literals and the text PostgreSQL 15's jsonb prints for them (`SELECT 'L'::jsonb::text`, measured), which is
    /// also what Swift must print: the API answers both ways.
    static let postgresText: [(literal: String, text: String)] = [
        ("12345678901234567890", "12345678901234567890"),
        ("-12345678901234567890", "-12345678901234567890"),
        ("9223372036854775808", "9223372036854775808"),
        ("-9223372036854775809", "-9223372036854775809"),
        ("1180591620717411303424", "1180591620717411303424"),
        ("3.14159265358979323846264338", "3.14159265358979323846264338"),
        ("-0.000000000000000000001234567890123456789", "-0.000000000000000000001234567890123456789"),
        ("1e400", "1" + String(repeating: "0", count: 400)),
        ("-1e400", "-1" + String(repeating: "0", count: 400)),
        ("1.0e400", "1" + String(repeating: "0", count: 400)),
        ("1e-400", "0." + String(repeating: "0", count: 399) + "1"),
        ("1.5e-400", "0." + String(repeating: "0", count: 399) + "15"),
        ("2.500000000000000000001E+30", "2500000000000000000001000000000"),
        ("123456789012345678901234567890e-10", "12345678901234567890.1234567890"),
        ("0.1000000000000000000000000001", "0.1000000000000000000000000001"),
        ("123456789.123456789", "123456789.123456789"),
    ]

    @Test(arguments: postgresText)
    func keepsTheValueAndPrintsItAsPostgreSQLDoes(_ pair: (literal: String, text: String)) throws {
        let value = try JSONParser.parse(pair.literal)
        guard case .exactNumber = value else { Issue.record("\(pair.literal) parsed as \(value)"); return }
        #expect(value.jsonString == pair.text)
        #expect(value.serializedSize() == pair.text.utf8.count)
        // Reading the printed text back gives the same value (the way a value comes back from the database).
        #expect(try JSONParser.parse(value.jsonString) == value)
        #expect(try JSONParser.parse(pair.text) == value)
    }

    @Test func bigIntegersRoundTripInsideDocuments() throws {
        let text = #"{"n":18446744073709551616,"neg":[-1180591620717411303424,1],"x":3.14159265358979323846264338}"#
        let value = try JSONParser.parse(text)
        #expect(value.jsonString == text)
        #expect(value["n"] == .exactNumber(try #require(ExactNumberTests.exact("18446744073709551616"))))
        #expect(value["neg"]?.arrayValue?[1] == .int(1))
    }

    @Test func ordinaryNumbersStayIntsAndDoubles() throws {
        #expect(try JSONParser.parse("9223372036854775807") == .int(.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(.min))
        for (literal, double) in [("0.1", 0.1), ("0.30000000000000004", 0.30000000000000004), ("1.7976931348623157e308", 1.7976931348623157e308),
                                  ("5e-324", 5e-324), ("2.2250738585072014e-308", 2.2250738585072014e-308), ("-1e2", -100),
                                  ("1.00000000000000000000", 1), ("100000000000000000000.0", 1e20), ("2.50E+30", 2.5e30), ("0e99999", 0), ("-0.0", -0.0),
                                  // 17 digits name a Double; JavaScript and Python's json read this as 0.1 too.
                                  ("0.10000000000000001", 0.1), ("0.0013436424411240122", 0.0013436424411240122)] {
            #expect(try JSONParser.parse(literal) == .double(double), "\(literal)")
        }
    }

    @Test func integersPastInt64AreNeverTurnedIntoFloats() throws {
        // 10**20 is a Double exactly, but Python's json reads it as an int; it stays an integer literal.
        let value = try JSONParser.parse("100000000000000000000")
        guard case .exactNumber(let n) = value else { Issue.record("\(value)"); return }
        #expect(n.isInteger)
        #expect(value.jsonString == "100000000000000000000")
    }

    @Test func arithmeticViewsAreTheDoubleApproximation() throws {
        let big = try JSONParser.parse("18446744073709551616")
        #expect(big.doubleValue == 18446744073709551616.0)
        #expect(big.intValue == nil)
        #expect(try JSONParser.parse("1e400").doubleValue == .infinity)
        #expect(try JSONParser.parse("-1e-400").doubleValue == 0)
        #expect(big.typeName == "number")
    }

    @Test func equalityIsByValue() throws {
        #expect(try JSONParser.parse("1e400") == JSONParser.parse("10e399"))
        #expect(try JSONParser.parse("1e400") == JSONParser.parse("1" + String(repeating: "0", count: 400)))
        #expect(try JSONParser.parse("0.10000000000000000001") == JSONParser.parse("0.100000000000000000010"))
        #expect(try JSONParser.parse("18446744073709551616") != JSONParser.parse("18446744073709551617"))
        #expect(try JSONParser.parse("18446744073709551616") != JSONParser.parse("-18446744073709551616"))
        let set: Set<JSONValue> = [try JSONParser.parse("1e400"), try JSONParser.parse("10e399"), try JSONParser.parse("1e401")]
        #expect(set.count == 2)
    }

    /// Past PostgreSQL numeric's range, or an exponent beyond ±1000 (each such number prints as over a thousand
    /// characters on every read), a literal is refused instead of being rounded to 0 or infinity.
    @Test(arguments: ["1e1001", "-1e1001", "1e-1001", "1.5e-1001", "1e99999999999999999999", "1e-99999999999999999999",
                      "0." + String(repeating: "0", count: 16383) + "1",
                      "1" + String(repeating: "0", count: 131_072)])
    func refusesNumbersNoStoreCanHold(_ literal: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(literal) }
    }

    @Test func acceptsTheLargestExponentsAndPlainDigits() throws {
        #expect(try JSONParser.parse("1e1000").jsonString.utf8.count == 1001)
        #expect(try JSONParser.parse("-1e-1000").jsonString.utf8.count == 1003)
        let manyDigits = "1" + String(repeating: "7", count: 5000) + "." + String(repeating: "3", count: 5000)
        #expect(try JSONParser.parse(manyDigits).jsonString == manyDigits)
    }

    static func exact(_ literal: String) -> ExactNumber? {
        if case .exactNumber(let n)? = try? JSONParser.parse(literal) { n } else { nil }
    }
}
