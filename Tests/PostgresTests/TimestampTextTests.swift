import Postgres
import Testing

/// `PostgresTimestampText` writes what `to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` wrote for
/// a launch status's timestamps: compared, value by value, with that to_char on a real PostgreSQL.
@Suite struct TimestampTextTests {
    @Test func rewritesTheServersTextAsToCharWroteIt() throws {
        let db = try TestDatabase.connect()
        // Fractions of every length (the server drops trailing zeros), none, a leap day, the ends of a day, before
        // 2000 and before 1970, a year past 9999 (whole seconds: the fallback goes through a Date, whose Double keeps
        // microseconds only within about 285 years of 1970), and infinity (to_char: NULL).
        let values = ["2026-11-28 13:54:02.606286+00", "2026-11-28 13:54:02.6+00", "2026-11-28 13:54:02.06+00",
                      "2026-11-28 13:54:02.000001+00", "2026-11-28 13:54:02.12345+00", "2026-11-28 13:54:02+00",
                      "2024-02-29 23:59:59.999999+00", "2026-01-01 00:00:00+00", "1999-12-31 23:59:59.5+00",
                      "1969-07-20 20:17:40+00", "2026-06-01 12:00:00.25+02", "12000-01-01 00:00:01+00", "infinity", "-infinity"]
        let rows = try db.query("""
            SELECT t AS server, to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS expected
            FROM unnest(\(values)::timestamptz[]) AS t
            """)
        #expect(rows.count == values.count)
        for row in rows {
            let expected = try row.decode(String?.self, column: "expected")
            let written: String? = row.withBytes(at: 0) { cell in
                guard let cell else { return "no cell" }
                var out: [UInt8] = []
                if PostgresTimestampText.appendRFC3339(cell, to: &out) { return String(decoding: out, as: UTF8.self) }
                #expect(out.isEmpty, "nothing written for a refused cell")
                return PostgresTimestampText.rfc3339(parsing: cell)
            }
            let server = try row.decode(String.self, column: "server")
            #expect(written == expected, "server text \(server)")
        }
    }

    @Test func refusesTextOfAnotherShape() {
        for text in ["2026-11-28 13:54:02.606286+01", "2026-11-28T13:54:02Z", "2026-11-28 13:54:02.+00", "2026-11-28 13:54:02.1234567+00",
                     "2026-11-28 13:54+00", "0044-03-15 12:00:00+00 BC", "infinity", ""] {
            var out: [UInt8] = []
            let accepted = Array(text.utf8).withUnsafeBufferPointer { PostgresTimestampText.appendRFC3339($0, to: &out) }
            #expect(!accepted && out.isEmpty, "\(text)")
        }
    }
}
