#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Postgres
import SweepJSON
import Testing

@Suite struct QueryTests {
    @Test func everyEncodableTypeRoundTrips() throws {
        let db = try TestDatabase.connect()
        let json: JSONValue = ["a": [1, 2.5, "x\"y", nil, true], "ü": ["nested": "✓"]]
        let bytes: [UInt8] = [0, 1, 0, 255, 92, 120, 0]
        let date = Date(timeIntervalSince1970: 1_795_374_578.123456)
        let strings = ["plain", "with,comma", "with \"quote\"", "back\\slash", "{brace}", "NULL", "", "  space ", "ünï✓"]
        let ints: [Int64] = [0, -1, Int64.max, Int64.min]
        let row = try #require(
            try db.query(
                """
                SELECT \("héllo ✓ 🚀")::text AS s, \(42)::bigint AS i, \(Int64.min)::bigint AS i64,
                       \(Int32.max)::int AS i32, \(3.25)::float8 AS d, \(true)::bool AS b, \(false)::bool AS f,
                       \(json)::jsonb AS jb, \(json)::json AS j, \(bytes)::bytea AS by, \(date)::timestamptz AS ts,
                       \(strings)::text[] AS sa, \(ints)::bigint[] AS ia, \([UInt8]())::bytea AS empty_bytes,
                       \([String]())::text[] AS empty_strings
                """
            ).first)
        #expect(try row.decode(String.self, column: "s") == "héllo ✓ 🚀")
        #expect(try row.decode(Int.self, column: "i") == 42)
        #expect(try row.decode(Int64.self, column: "i64") == Int64.min)
        #expect(try row.decode(Int32.self, column: "i32") == Int32.max)
        #expect(try row.decode(Double.self, column: "d") == 3.25)
        #expect(try row.decode(Bool.self, column: "b") == true)
        #expect(try row.decode(Bool.self, column: "f") == false)
        #expect(try row.decode(JSONValue.self, column: "jb") == json)
        #expect(try row.decode(JSONValue.self, column: "j") == json)
        #expect(try row.decode([UInt8].self, column: "by") == bytes)
        let decodedDate = try row.decode(Date.self, column: "ts")
        #expect(abs(decodedDate.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.000_001)
        #expect(try row.decode([String].self, column: "sa") == strings)
        #expect(try row.decode([Int64].self, column: "ia") == ints)
        #expect(try row.decode([UInt8].self, column: "empty_bytes") == [])
        #expect(try row.decode([String].self, column: "empty_strings") == [])
        #expect(try row["s", as: String.self] == "héllo ✓ 🚀")
        #expect(try row.decode(Int64.self, at: 1) == 42)
    }

    @Test func nullsDecodeAsOptionalAndFailAsNonOptional() throws {
        let db = try TestDatabase.connect()
        let none: String? = nil
        let noInt: Int64? = nil
        let noJSON: JSONValue? = nil
        let noBytes: [UInt8]? = nil
        let noDate: Date? = nil
        let noArray: [String]? = nil
        let some: Int? = 7
        let row = try #require(
            try db.query(
                """
                SELECT \(none)::text AS s, \(noInt)::bigint AS i, \(noJSON)::jsonb AS j, \(noBytes)::bytea AS b,
                       \(noDate)::timestamptz AS d, \(noArray)::text[] AS a, \(some)::bigint AS some
                """
            ).first)
        #expect(try row.decode(String?.self, column: "s") == nil)
        #expect(try row.decode(Int64?.self, column: "i") == nil)
        #expect(try row.decode(JSONValue?.self, column: "j") == nil)
        #expect(try row.decode([UInt8]?.self, column: "b") == nil)
        #expect(try row.decode(Date?.self, column: "d") == nil)
        #expect(try row.decode([String]?.self, column: "a") == nil)
        #expect(try row.decode(Int?.self, column: "some") == 7)
        #expect(row.isNull(at: 0))
        let error = try #require(throws: PostgresError.self) { try row.decode(String.self, column: "s") }
        #expect(error.code == .decoding)
        #expect(error.description.contains("\"s\""))
    }

    @Test func specialValuesRoundTrip() throws {
        let db = try TestDatabase.connect()
        let row = try #require(
            try db.query(
                """
                SELECT \(Double.infinity)::float8, \(-Double.infinity)::float8, \(Double.nan)::float8,
                       \(0.1)::float8, \(1e-300)::float8, 'infinity'::timestamptz,
                       '2026-11-22 19:09:38.123456+05:30'::timestamptz, \(Int.max)::bigint
                """
            ).first)
        #expect(try row.decode(Double.self, at: 0) == .infinity)
        #expect(try row.decode(Double.self, at: 1) == -.infinity)
        #expect(try row.decode(Double.self, at: 2).isNaN)
        #expect(try row.decode(Double.self, at: 3) == 0.1)
        #expect(try row.decode(Double.self, at: 4) == 1e-300)
        #expect(try row.decode(Date.self, at: 5) == .distantFuture)
        // The connection runs in UTC, so the server converts the +05:30 input.
        let expected = Date(timeIntervalSince1970: 1_795_374_578.123456 - 5.5 * 3600)
        #expect(abs(try row.decode(Date.self, at: 6).timeIntervalSince1970 - expected.timeIntervalSince1970) < 1e-6)
        #expect(try row.decode(Int.self, at: 7) == Int.max)
    }

    @Test(arguments: [-62_135_596_800.0, -1.5, 0, 951_782_400.999999, 4_102_444_800.000001])
    func datesRoundTripThroughTheServer(seconds: Double) throws {
        let db = try TestDatabase.connect()
        let date = Date(timeIntervalSince1970: seconds)
        let row = try #require(try db.query("SELECT \(date)::timestamptz, (\(date)::timestamptz)::text").first)
        #expect(abs(try row.decode(Date.self, at: 0).timeIntervalSince1970 - seconds) < 1e-6)
        #expect(abs(try row.decode(Date.self, at: 1).timeIntervalSince1970 - seconds) < 1e-6)
    }

    @Test func injectionStringIsBoundAsData() throws {
        let db = try TestDatabase.connect()
        let evil = "Robert'); DROP TABLE students;--"
        try db.simpleQuery(unsafeSQL: "CREATE TEMP TABLE students (name text NOT NULL)")
        let q: PostgresQuery = "INSERT INTO students (name) VALUES (\(evil))"
        #expect(try db.execute(q) == 1)
        let rows = try db.query("SELECT name FROM students WHERE name = \(evil)")
        #expect(rows.count == 1)
        #expect(try rows[0].decode(String.self, at: 0) == evil)
        #expect(try db.query("SELECT count(*) FROM students").first?.decode(Int.self, at: 0) == 1)
    }

    @Test func descriptionHidesValues() throws {
        let secret = "hunter2-secret"
        let q: PostgresQuery = "SELECT * FROM users WHERE password = \(secret) AND id = \(12345) \(unsafeSQL: "LIMIT 1")"
        #expect(q.description == "SELECT * FROM users WHERE password = $1 AND id = $2 LIMIT 1")
        #expect(!"\(q)".contains(secret))
        #expect(!String(reflecting: q).contains(secret))
        #expect(!String(reflecting: q.binds).contains(secret))
        #expect(q.binds.count == 2)
        let ident: PostgresQuery = "SELECT 1 FROM \(identifier: "we\"ird")"
        #expect(ident.sql == "SELECT 1 FROM \"we\"\"ird\"")
    }

    @Test func errorsCarrySQLStateQueryAndCallSite() throws {
        let db = try TestDatabase.connect()
        let table = TestDatabase.uniqueName("missing")
        let secret = "do-not-print"
        let error = try #require(throws: PostgresError.self) {
            try db.query("SELECT * FROM \(unsafeSQL: table) WHERE x = \(secret)")
        }
        #expect(error.sqlState == "42P01")
        #expect(error.isUndefinedTable)
        #expect(error.code == .server)
        #expect(error.query == "SELECT * FROM \(table) WHERE x = $1")
        #expect(error.file.hasSuffix("QueryTests.swift"))
        #expect(error.line > 0)
        #expect(!error.description.contains(secret))
        // The connection is still usable after a statement error.
        #expect(!db.isBroken)
        #expect(try db.query("SELECT 1").first?.decode(Int.self, at: 0) == 1)
    }

    @Test func nulCharacterInTextIsRejectedNotTruncated() throws {
        let db = try TestDatabase.connect()
        let error = try #require(throws: PostgresError.self) { try db.query("SELECT \("a\u{0}b")::text") }
        #expect(error.code == .usage)
    }

    @Test func unknownColumnAndConnectionFailureAreErrors() throws {
        let db = try TestDatabase.connect()
        let row = try #require(try db.query("SELECT 1 AS one").first)
        #expect(throws: PostgresError.self) { try row.decode(Int.self, column: "two") }
        let error = try #require(throws: PostgresError.self) {
            try PostgresConnection(url: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
        }
        #expect(error.code == .connection)
        #expect(error.isConnectionFailure)
    }

    @Test func preparedStatementsAreReusedAndSurviveDiscard() throws {
        let db = try TestDatabase.connect()
        for i in 0..<5 {
            #expect(try db.query("SELECT \(i)::bigint + 1").first?.decode(Int.self, at: 0) == i + 1)
        }
        let prepared = try db.query("SELECT count(*) FROM pg_prepared_statements").first?.decode(Int.self, at: 0)
        #expect((prepared ?? 0) >= 1)
        try db.simpleQuery(unsafeSQL: "DEALLOCATE ALL")
        // The first call after DEALLOCATE fails (26000) and forgets the statement; the next one re-prepares.
        _ = try? db.query("SELECT \(1)::bigint + 1")
        #expect(try db.query("SELECT \(1)::bigint + 1").first?.decode(Int.self, at: 0) == 2)
    }

    @Test func aQueryPlannedEachTimeIsNeverPrepared() throws {
        let db = try TestDatabase.connect()
        let sql = "SELECT count(*) FROM pg_class WHERE relpages >= "
        let countPrepared = "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT count(*) FROM pg_class WHERE relpages >= %'"
        for _ in 0..<4 { _ = try db.query(PostgresQuery(unsafeSQL: sql + "$1::int", binds: [0.postgresBind]).plannedEachTime()) }
        #expect(try db.query(PostgresQuery(unsafeSQL: countPrepared)).first?.decode(Int.self, at: 0) == 0)
        // The same text without the flag is prepared on its second run (the statement cache's rule).
        for _ in 0..<2 { _ = try db.query(PostgresQuery(unsafeSQL: sql + "$1::int", binds: [0.postgresBind])) }
        #expect(try db.query(PostgresQuery(unsafeSQL: countPrepared)).first?.decode(Int.self, at: 0) == 1)
    }

    @Test func simpleQueryRunsScripts() throws {
        let db = try TestDatabase.connect()
        try db.simpleQuery(
            unsafeSQL: """
                CREATE TEMP TABLE script_a (id bigint PRIMARY KEY);
                INSERT INTO script_a VALUES (1), (2);
                CREATE TEMP TABLE script_b AS SELECT id * 10 AS id FROM script_a;
                """)
        let rows = try db.query("SELECT id FROM script_b ORDER BY id")
        #expect(try rows.map { try $0.decode(Int64.self, at: 0) } == [10, 20])
        #expect(rows.columns == ["id"])
        #expect(try db.execute("UPDATE script_a SET id = id + 100") == 2)
        #expect(try db.execute("CREATE TEMP TABLE script_c (x int)") == 0)
    }
}
