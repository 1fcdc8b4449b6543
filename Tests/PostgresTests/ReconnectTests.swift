import Foundation
import Postgres
import Testing

/// Surviving the server: a pooled connection the server ended is replaced before it is handed out, and a
/// `ReconnectingConnection` replaces a broken connection. The server ends sessions with pg_terminate_backend, as
/// a restart does (FATAL, then the socket closes).
@Suite struct ReconnectTests {
    @Test func backoffDoublesToItsCapAndResets() {
        var backoff = ReconnectBackoff(initial: .milliseconds(50), maximum: .seconds(2))
        let pauses = (0..<8).map { _ in backoff.failed() }
        #expect(pauses == [.milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800),
                           .milliseconds(1600), .seconds(2), .seconds(2)])
        #expect(backoff.failures == 8)
        backoff.succeeded()
        #expect(backoff.failed() == .milliseconds(50))
    }

    @Test func aPooledConnectionTheServerEndedIsReplacedBeforeUse() throws {
        let url = try TestDatabase.url()
        let pool = PostgresPool(PostgresPool.Configuration(url: url, maxConnections: 1, applicationName: "sweep-tests-reconnect"))
        defer { pool.close() }
        let first = try pool.withConnection { $0.backendPID }
        let killer = try TestDatabase.connect()
        let ended = try killer.query("SELECT pg_terminate_backend(\(first)) AS ended")[0].decode(Bool.self, column: "ended")
        #expect(ended)
        // Wait (bounded) until the backend is gone, so its goodbye has reached the idle socket.
        for _ in 0..<200 {
            if try killer.query("SELECT 1 AS one FROM pg_stat_activity WHERE pid = \(first)").isEmpty { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        // The next borrower gets a working connection, not the dead one's error.
        let second = try pool.withConnection { connection -> Int32 in
            _ = try connection.query("SELECT 1 AS one")
            return connection.backendPID
        }
        #expect(second != first)
        #expect(pool.statistics.open == 1)
    }

    @Test func aReconnectingConnectionReplacesABrokenOneAndPreparesIt() throws {
        let url = try TestDatabase.url()
        var prepared = 0
        let link = ReconnectingConnection(url: url, applicationName: "sweep-tests-link") { connection in
            prepared += 1
            try connection.simpleQuery(unsafeSQL: "SET application_name = 'sweep-tests-prepared'")
        }
        #expect(link.connect(until: { false }))
        let first = link.connection.backendPID
        _ = try TestDatabase.connect().query("SELECT pg_terminate_backend(\(first))")
        #expect(throws: PostgresError.self) { try link.connection.query("SELECT 1 AS one") }
        #expect(link.isBroken)
        #expect(link.reconnectIfBroken(until: { false }))
        let name = try link.connection.query("SELECT current_setting('application_name') AS name")[0].decode(String.self, column: "name")
        #expect(name == "sweep-tests-prepared" && prepared == 2)
        #expect(link.connection.backendPID != first)
        #expect(!link.reconnectIfBroken(until: { false }), "a working connection is left alone")
    }
}
