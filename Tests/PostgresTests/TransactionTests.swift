import Postgres
import Testing

@Suite struct TransactionTests {
    struct Boom: Error {}

    @Test func commitRollbackAndErrors() throws {
        let db = try TestDatabase.connect()
        try db.simpleQuery(unsafeSQL: "CREATE TEMP TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL)")

        let inserted = try db.transaction { tx in
            try tx.execute("INSERT INTO accounts VALUES (\(1), \("ann"))")
        }
        #expect(inserted == 1)
        #expect(!db.isInTransaction)

        #expect(throws: Boom.self) {
            try db.transaction { tx in
                try tx.execute("INSERT INTO accounts VALUES (\(2), \("bob"))")
                throw Boom()
            }
        }
        #expect(!db.isInTransaction)
        #expect(try db.query("SELECT count(*) FROM accounts").first?.decode(Int.self, at: 0) == 1)

        // The original SQL error comes back, with its SQLSTATE.
        let error = try #require(throws: PostgresError.self) {
            try db.transaction { tx in
                try tx.execute("INSERT INTO accounts VALUES (\(3), \("cy"))")
                try tx.execute("INSERT INTO accounts VALUES (\(1), \("dup"))")
            }
        }
        #expect(error.sqlState == "23505")
        #expect(error.isUniqueViolation)
        #expect(try db.query("SELECT count(*) FROM accounts").first?.decode(Int.self, at: 0) == 1)
    }

    @Test func swallowedErrorMakesCommitFail() throws {
        let db = try TestDatabase.connect()
        try db.simpleQuery(unsafeSQL: "CREATE TEMP TABLE t (id bigint PRIMARY KEY)")
        let error = try #require(throws: PostgresError.self) {
            try db.transaction { tx in
                try tx.execute("INSERT INTO t VALUES (\(1))")
                _ = try? tx.execute("INSERT INTO t VALUES (\(1))")
            }
        }
        #expect(error.code == .transactionAborted)
        #expect(try db.query("SELECT count(*) FROM t").first?.decode(Int.self, at: 0) == 0)
    }

    @Test func nestedTransactionsUseSavepoints() throws {
        let db = try TestDatabase.connect()
        try db.simpleQuery(unsafeSQL: "CREATE TEMP TABLE n (id bigint PRIMARY KEY)")
        try db.transaction(isolation: .serializable) { tx in
            try tx.execute("INSERT INTO n VALUES (\(1))")
            #expect(throws: PostgresError.self) {
                try tx.transaction { inner in try inner.execute("INSERT INTO n VALUES (\(1))") }
            }
            try tx.transaction { inner in try inner.execute("INSERT INTO n VALUES (\(2))") }
        }
        #expect(try db.query("SELECT count(*) FROM n").first?.decode(Int.self, at: 0) == 2)
    }
}
