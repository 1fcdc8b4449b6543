#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
import Foundation
import Postgres
import Synchronization
import Testing

@Suite struct PoolTests {
    @Test func eightThreadsShareFourConnections() throws {
        let url = try TestDatabase.url()
        let table = TestDatabase.uniqueName("pool_counter")
        let pool = PostgresPool(PostgresPool.Configuration(url: url, maxConnections: 4, applicationName: "sweep-tests"))
        defer { pool.close() }
        try pool.withConnection { db in
            try db.simpleQuery(unsafeSQL: "CREATE TABLE \(table) (id int PRIMARY KEY, n bigint NOT NULL)")
            try db.execute("INSERT INTO \(unsafeSQL: table) VALUES (1, 0)")
        }
        defer { _ = try? pool.withConnection { try $0.simpleQuery(unsafeSQL: "DROP TABLE \(table)") } }

        let threads = 8
        let iterations = 50
        let failures = Mutex<[String]>([])
        let maxOpen = Atomic<Int>(0)
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                for _ in 0..<iterations {
                    do {
                        try pool.transaction { tx in
                            try tx.execute("UPDATE \(unsafeSQL: table) SET n = n + \(1) WHERE id = \(1)")
                        }
                        maxOpen.max(pool.statistics.open)
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
            thread.start()
        }
        group.wait()
        #expect(failures.withLock { $0 } == [])
        let total = try pool.withConnection { db in
            try db.query("SELECT n FROM \(unsafeSQL: table) WHERE id = \(1)").first?.decode(Int.self, at: 0)
        }
        #expect(total == threads * iterations)
        #expect(maxOpen.load(ordering: .relaxed) <= 4)
        #expect(pool.statistics.open <= 4)
    }

    @Test func brokenConnectionsAreDiscarded() throws {
        let pool = PostgresPool(url: try TestDatabase.url(), maxConnections: 1)
        defer { pool.close() }
        let firstPID = try pool.withConnection { $0.backendPID }
        let error = try #require(throws: PostgresError.self) {
            try pool.withConnection { db in try db.query("SELECT pg_terminate_backend(pg_backend_pid())") }
        }
        #expect(error.isConnectionFailure || error.sqlState == "57P01")
        let secondPID = try pool.withConnection { db in
            try db.query("SELECT pg_backend_pid()").first?.decode(Int32.self, at: 0)
        }
        #expect(secondPID != nil && secondPID != firstPID)
    }

    @Test func abandonedTransactionIsRolledBackOnRelease() throws {
        let pool = PostgresPool(url: try TestDatabase.url(), maxConnections: 1)
        defer { pool.close() }
        try pool.withConnection { db in try db.simpleQuery(unsafeSQL: "BEGIN") }
        let inTransaction = try pool.withConnection { $0.isInTransaction }
        #expect(!inTransaction)
    }

    @Test func acquireTimesOutAndCloseRefuses() throws {
        let url = try TestDatabase.url()
        let pool = PostgresPool(PostgresPool.Configuration(url: url, maxConnections: 1, acquireTimeout: .milliseconds(100)))
        let error = try #require(throws: PostgresError.self) {
            try pool.withConnection { _ in try pool.withConnection { _ in 0 } }
        }
        #expect(error.code == .poolTimeout)
        pool.close()
        let closed = try #require(throws: PostgresError.self) { try pool.withConnection { _ in 0 } }
        #expect(closed.code == .poolClosed)
        #expect(pool.statistics.open == 0)
    }
}

extension Atomic where Value == Int {
    func max(_ value: Int) {
        var current = load(ordering: .relaxed)
        while value > current {
            let (exchanged, original) = compareExchange(expected: current, desired: value, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }
}
