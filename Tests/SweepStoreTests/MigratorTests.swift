import Foundation
import Postgres
import SweepStore
import SweepTestSupport
import Testing

@Suite(.serialized) struct MigratorTests {
    /// Landed migrations never change (STYLE.md 15): their SHA-256, pinned when they landed.
    @Test func landedMigrationsAreUnchanged() throws {
        let pinned = [
            1: "0001_users_keys_definitions", 2: "0002_launches_runs_events", 3: "0003_task_progress_tokens", 4: "0004_scheduler_fast_paths",
        ]
        let migrator = try Migrator(directory: TestDatabase.migrations)
        for (version, name) in pinned {
            #expect(migrator.migrations.first { $0.version == version }?.name == name)
        }
        let sums = Dictionary(uniqueKeysWithValues: migrator.migrations.map { ($0.version, $0.checksum) })
        #expect(sums[1] == Self.landed[1] && sums[2] == Self.landed[2] && sums[3] == Self.landed[3] && sums[4] == Self.landed[4])
    }

    static let landed: [Int: String] = [
        1: "6f303c2881988ca03379d6d0d8dcd5a4d010481c11bc8204700230283fc9efcb", 2: "ef71adc9ee703596361d685536431f902ad41f7d81e589289e6714a87c84e84c", 3: "d9572b5ca775aaf8346e129886acfd5804439c69362a454920d5fc3e3442c59a", 4: "ce6376fb3c74d668520bbce3e8407c716b1f46550350b6b57a84d2824729cc4b",
    ]

    @Test func aChangedLandedFileStopsTheMigrator() throws {
        let url = try TestDatabase.fresh()
        let connection = try PostgresConnection(url: url)
        #expect(try Migrator(directory: TestDatabase.migrations).migrate(connection).isEmpty, "the copy is up to date")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for file in try FileManager.default.contentsOfDirectory(atPath: TestDatabase.migrations) {
            var text = try String(contentsOfFile: TestDatabase.migrations + "/" + file, encoding: .utf8)
            if file.hasPrefix("0002") { text += "\n-- edited after landing\n" }
            try text.write(to: folder.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        #expect(throws: MigrationError.self) { try Migrator(directory: folder.path).migrate(connection) }
    }

    @Test func checksumsAreAdoptedForMigrationsAppliedBeforeThem() throws {
        let url = try TestDatabase.fresh()
        let connection = try PostgresConnection(url: url)
        try connection.execute("UPDATE schema_migrations SET checksum = NULL")
        #expect(try Migrator(directory: TestDatabase.migrations).migrate(connection).isEmpty)
        #expect(try connection.query("SELECT count(*)::int AS n FROM schema_migrations WHERE checksum IS NULL")[0].decode(Int.self, column: "n") == 0)
    }

    @Test func theChainRoutineIsInstalledFromTheNamedStatements() throws {
        let url = try TestDatabase.fresh()
        let connection = try PostgresConnection(url: url)
        let body = try connection.query("SELECT prosrc FROM pg_proc WHERE proname = \(ChainStepRoutine.name)")[0].decode(String.self, column: "prosrc")
        #expect(body.contains("UPDATE task_runs t SET state = 'succeeded'"))
        #expect(try connection.query("SELECT 1 AS one FROM pg_proc WHERE proname = 'sweep_complete_and_claim'").isEmpty, "its hand-kept twin is gone")
    }
}
