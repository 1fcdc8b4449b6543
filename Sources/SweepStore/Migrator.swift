import Foundation
import Postgres
import SweepCrypto

/// Applies `migrations/NNNN_name.sql` in order, each once, recorded in `schema_migrations`. Safe to run twice and
/// from two processes at once: a session advisory lock serialises migrators, and each file runs in its own
/// transaction together with its bookkeeping row. Each applied file's SHA-256 is recorded, and a file that changed
/// after it was applied stops the migrator (a landed migration is never edited: add a new one). After the
/// migrations it (re)installs the routines built from the named statements (`ChainStepRoutine`).
public struct Migrator {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: String

        /// SHA-256 of the file, recorded when applied.
        public var checksum: String { Digest.sha256Hex(sql) }
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
        try connection.simpleQuery(unsafeSQL: "ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text")
        var applied: [Int: String?] = [:]
        for row in try connection.query("SELECT version, checksum FROM schema_migrations") {
            applied[try row.decode(Int.self, column: "version")] = try row.decode(String?.self, column: "checksum")
        }
        for migration in migrations {
            guard let recorded = applied[migration.version] else { continue }
            if let recorded {
                guard recorded == migration.checksum else {
                    throw MigrationError("migration \(migration.name) changed after it was applied (checksum \(recorded.prefix(12)) recorded, "
                                         + "\(migration.checksum.prefix(12)) now): never edit a landed migration, add a new one")
                }
            } else {
                // Applied before checksums were kept: the file as it is now is the one on record from here on.
                try connection.execute("UPDATE schema_migrations SET checksum = \(migration.checksum) WHERE version = \(migration.version)")
            }
        }
        var now: [String] = []
        for migration in migrations where applied[migration.version] == nil {
            try connection.transaction { connection in
                try connection.simpleQuery(unsafeSQL: migration.sql)
                try connection.execute("""
                    INSERT INTO schema_migrations (version, name, checksum) VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                    """)
            }
            now.append(migration.name)
        }
        try connection.transaction { connection in
            for routine in ChainStepRoutine.all { try connection.simpleQuery(unsafeSQL: routine) }
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
