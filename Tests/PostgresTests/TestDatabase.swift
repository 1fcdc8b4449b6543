import Postgres
import Testing

/// The database every test talks to. Tests never mock PostgreSQL; without a server they fail and say how to get one.
enum TestDatabase {
    static let variable = "SWEEP_TEST_DATABASE_URL"

    static func url() throws -> String {
        guard let url = environment(variable), !url.isEmpty else {
            Issue.record(
                """
                \(variable) is not set. These tests need a real PostgreSQL server. Start a private one with
                  scripts/pg-cluster.sh start /tmp/pg-test 55433
                and run
                  SWEEP_TEST_DATABASE_URL='postgresql://postgres@127.0.0.1:55433/sweep?sslmode=disable' swift test --filter PostgresTests
                (the Makefile sets it for you).
                """)
            throw MissingDatabase()
        }
        return url
    }

    static func connect() throws -> PostgresConnection {
        try PostgresConnection(url: url(), applicationName: "sweep-tests")
    }

    /// A table name no other test (or concurrent test run) uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UInt64.random(in: 0...UInt64.max) & 0xffff_ffff_ffff)"
    }

    struct MissingDatabase: Error {}
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private func environment(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}
