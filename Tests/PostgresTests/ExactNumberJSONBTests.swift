import Postgres
import SweepJSON
import Testing

/// PostgreSQL's jsonb stores numbers as numeric, exactly; the text it hands back must be the text Swift prints for
/// the same value, so the status page (database text) and the API (Swift) show one number.
@Suite struct ExactNumberJSONBTests {
    @Test func jsonbTextEqualsSwiftTextForExactNumbers() throws {
        let db = try TestDatabase.connect()
        let literals = ["18446744073709551616", "-1180591620717411303424", "3.14159265358979323846264338", "1e400", "-2.5e-400",
                        "123456789012345678901234567890e-10", "7.000000000000000000001E+25", "1e1000", "-1e-1000"]
        for literal in literals {
            let value = try JSONParser.parse("[\(literal)]")
            let row = try #require(try db.query("SELECT \(value)::jsonb AS j, (\(value)::jsonb)::text AS t").first)
            let text = try row.decode(String.self, column: "t")
            #expect(text == value.jsonString, "\(literal)")
            #expect(try row.decode(JSONValue.self, column: "j") == value, "\(literal)")
        }
    }
}
