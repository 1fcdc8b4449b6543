import Foundation
import Postgres
import SweepStore
import Synchronization

/// Databases for the tests of the I/O targets, on the private PostgreSQL that `make test` starts
/// (`SWEEP_TEST_DATABASE_URL`). The migrations run once per test process into a template; each test that needs a
/// database of its own (claims see every user's runs) gets a copy of it, so tests run in parallel without seeing
/// one another's rows.
public enum TestDatabase {
    public static let variable = "SWEEP_TEST_DATABASE_URL"

    public struct Missing: Error, CustomStringConvertible {
        public var description: String {
            """
            \(TestDatabase.variable) is not set. These tests need a real PostgreSQL server: start one with
              scripts/pg-cluster.sh start /tmp/pg-test 55433
            and export the URL it prints as \(TestDatabase.variable) (make test does this).
            """
        }
    }

    /// The migrations folder of this repository.
    public static let migrations: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("migrations").path
    }()

    private static let template = Mutex<Result<String, any Error>?>(nil)

    public static func baseURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty else { throw Missing() }
        return url
    }

    /// The URL of `base` with another database name (`…/sweep?host=…` -> `…/NAME?host=…`).
    static func url(_ base: String, database: String) -> String {
        let query = base.firstIndex(of: "?") ?? base.endIndex
        let slash = base[..<query].lastIndex(of: "/")!
        return String(base[..<slash]) + "/" + database + String(base[query...])
    }

    /// A new database with every migration applied; the name is random, so concurrent test runs never meet.
    public static func fresh() throws -> String {
        let base = try baseURL()
        let templateName = try template.withLock { cached -> String in
            if let cached { return try cached.get() }
            let result = Result { () throws -> String in
                let name = "sweep_tpl_\(UInt32.random(in: 0...UInt32.max))"
                let admin = try PostgresConnection(url: base, applicationName: "sweep-tests")
                try admin.simpleQuery(unsafeSQL: "CREATE DATABASE \(name)")
                // Its own scope: a template must have no connection when it is copied.
                do {
                    let connection = try PostgresConnection(url: url(base, database: name), applicationName: "sweep-tests")
                    try Migrator(directory: migrations).migrate(connection)
                }
                return name
            }
            cached = result
            return try result.get()
        }
        let name = "sweep_t_\(UInt64.random(in: 0...UInt64.max) & 0xffff_ffff_ffff)"
        let admin = try PostgresConnection(url: base, applicationName: "sweep-tests")
        // Copies of one template are taken one at a time (PostgreSQL refuses a template with another copy going).
        try admin.simpleQuery(unsafeSQL: "SELECT pg_advisory_lock(7461)")
        defer { try? admin.simpleQuery(unsafeSQL: "SELECT pg_advisory_unlock(7461)") }
        try admin.simpleQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE \(templateName)")
        return url(base, database: name)
    }
}
