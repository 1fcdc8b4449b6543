import Foundation
import Postgres
import SweepStore
import SweepTestSupport
import Testing

/// Migration 0032: an idempotency key is per user AND workflow. Applied to a database holding launches written under
/// the old per-user key, it keeps them, and their keys still find them, per workflow.
@Suite struct IdempotencyKeyMigrationTests {
    @Test func theKeyBecomesPerWorkflowOverExistingLaunches() throws {
        let url = try TestDatabase.empty()
        let connection = try PostgresConnection(url: url)
        // The migrations before 0032, from a folder of their own.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for file in try FileManager.default.contentsOfDirectory(atPath: TestDatabase.migrations) where file < "0032" {
            try FileManager.default.copyItem(atPath: TestDatabase.migrations + "/" + file, toPath: folder.appendingPathComponent(file).path)
        }
        try Migrator(directory: folder.path).migrate(connection)
        let all = try Migrator(directory: TestDatabase.migrations)

        func user(_ name: String) throws -> Int64 {
            try connection.query("INSERT INTO users (username, password_hash) VALUES (\(name), 'not-a-hash') RETURNING id")[0]
                .decode(Int64.self, column: "id")
        }
        func insert(_ userID: Int64, _ workflowID: String, _ key: String?) throws -> String {
            try connection.query("""
                INSERT INTO launches (user_id, workflow_id, version, definition, executors, idempotency_key)
                VALUES (\(userID), \(workflowID), 1, '{}'::jsonb, '{}'::jsonb, \(key)) RETURNING id::text AS id
                """)[0].decode(String.self, column: "id")
        }
        let (alice, bob) = (try user("alice"), try user("bob"))
        let aliceA = try insert(alice, "a", "k1")
        let aliceB = try insert(alice, "b", "k2")
        let bobA = try insert(bob, "a", "k1")
        for _ in 0..<3 { _ = try insert(alice, "a", nil) }
        // Before 0032 the key was per user: k1 on another workflow of alice's was refused.
        #expect(throws: (any Error).self) { try insert(alice, "b", "k1") }

        #expect(try all.migrate(connection) == all.migrations.filter { $0.version >= 32 }.map(\.name))
        #expect(try connection.query("SELECT count(*)::int AS n FROM launches")[0].decode(Int.self, column: "n") == 6)

        // Looked up as the API does: in the user's tenant transaction (row-level security on).
        let database = Database(url: url, maxConnections: 1)
        func found(_ userID: Int64, _ workflowID: String, _ key: String) throws -> String? {
            try database.tenant(UserID(userID)) { try LaunchStore($0).launchID(workflowID: workflowID, idempotencyKey: key) }
        }
        #expect(try found(alice, "a", "k1") == aliceA && found(alice, "b", "k2") == aliceB && found(bob, "a", "k1") == bobA)
        #expect(try found(alice, "b", "k1") == nil && found(alice, "a", "k2") == nil)
        // Now the same key on another workflow is another launch; on the same workflow it is still refused.
        let aliceBK1 = try insert(alice, "b", "k1")
        #expect(try found(alice, "b", "k1") == aliceBK1 && found(alice, "a", "k1") == aliceA)
        #expect(throws: (any Error).self) { try insert(alice, "a", "k1") }
        #expect(throws: (any Error).self) { try insert(bob, "a", "k1") }
        _ = try insert(alice, "a", nil)
    }
}
