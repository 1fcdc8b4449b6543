import Foundation
import Postgres

/// Applies `migrations/NNNN_name.sql` in order, each once, recorded in `schema_migrations`. Safe to run twice and
/// from two processes at once: a session advisory lock serialises migrators, and each file runs in its own
/// transaction together with its bookkeeping row.
public struct Migrator {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: String
    }

    /// An arbitrary constant naming Sweep's migration lock.
    static let advisoryLockKey: Int64 = 0x5357_4545_5000_0001

    public let migrations: [Migration]

    public init(directory: String) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }.sorted()
        var migrations: [Migration] = []
        for file in files {
            guard let underscore = file.firstIndex(of: "_"), let version = Int(file[..<underscore]) else {
                throw MigrationError("migration file \(file) must be named NNNN_name.sql")
            }
            let sql = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            migrations.append(Migration(version: version, name: String(file.dropLast(4)), sql: sql))
        }
        guard Set(migrations.map(\.version)).count == migrations.count else { throw MigrationError("two migrations share a version number") }
        self.migrations = migrations
    }

    /// Applies what is missing; returns the names applied now.
    @discardableResult
    public func migrate(_ connection: PostgresConnection) throws -> [String] {
        _ = try connection.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))")
        defer { _ = try? connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))") }
        try connection.simpleQuery(unsafeSQL: """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let applied = Set(try connection.query("SELECT version FROM schema_migrations").map { try $0.decode(Int.self, column: "version") })
        var now: [String] = []
        for migration in migrations where !applied.contains(migration.version) {
            try connection.transaction { connection in
                try connection.simpleQuery(unsafeSQL: migration.sql)
                try connection.execute("INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))")
            }
            now.append(migration.name)
        }
        // Whatever a migration created, the system role gets its grants and row policy (migration 0008); the
        // function is idempotent, so a migration written without knowing the roles still works for the schedulers.
        if try connection.query("SELECT to_regprocedure('sweep_grant_system_access()') IS NOT NULL AS present")[0].decode(Bool.self, column: "present") {
            _ = try connection.query("SELECT sweep_grant_system_access()")
        }
        return now
    }
}

public struct MigrationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
