import Foundation
import Postgres
import SweepStore
import Testing

/// A migrated database of its own inside the private test cluster (`SWEEP_TEST_DATABASE_URL`), so these tests
/// never touch tables other suites create; dropped by `close()`.
final class BlobTestDatabase {
    let name: String
    let adminURL: String
    let database: Database

    init() throws {
        guard let url = ProcessInfo.processInfo.environment["SWEEP_TEST_DATABASE_URL"], !url.isEmpty else {
            Issue.record("SWEEP_TEST_DATABASE_URL is not set: start a private cluster with scripts/pg-cluster.sh (make test does)")
            throw MissingDatabase()
        }
        adminURL = url
        let name = "blobs_\(UInt64.random(in: 0...UInt64.max) & 0xffff_ffff)"
        self.name = name
        // pg-cluster.sh prints postgresql://USER@/sweep?host=…: the same server, another database.
        guard let slash = url.range(of: "/sweep?") else { throw MissingDatabase() }
        let ownURL = url.replacingCharacters(in: slash, with: "/\(name)?")
        let migrations = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../migrations").standardized.path
        // One at a time: migration 0001 creates the cluster-wide role sweep_tenant, which two databases migrated at
        // once would both try to create.
        try Self.setUp.withLock {
            try PostgresConnection(url: url).simpleQuery(unsafeSQL: "CREATE DATABASE \(name)")
            _ = try Migrator(directory: migrations).migrate(try PostgresConnection(url: ownURL))
        }
        database = Database(url: ownURL, maxConnections: 4)
    }

    func close() {
        database.close()
        _ = try? PostgresConnection(url: adminURL).simpleQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    func createUser(_ username: String) throws -> UserID {
        try database.system { try UserStore.create($0, username: username, password: "pw-\(username)-long-enough", isAdmin: false).id }
    }

    func chunkRows(_ key: BlobKey) throws -> Int64 {
        try database.system {
            try $0.query("SELECT count(*) AS n FROM blob_chunks WHERE user_id = \(key.userID) AND blob_id = \(key.id)")[0]
                .decode(Int64.self, column: "n")
        }
    }

    struct MissingDatabase: Error {}
    private static let setUp = NSLock()
}

/// A source over bytes in memory that hands out at most `step` bytes per read (so reads never line up with chunks).
final class SteppingSource {
    let bytes: [UInt8]
    let step: Int
    private var offset = 0

    init(_ bytes: [UInt8], step: Int = 777) {
        self.bytes = bytes
        self.step = step
    }

    func read(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        let n = min(buffer.count, step, bytes.count - offset)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + n])) }
        offset += n
        return n
    }
}

func collect(_ store: any BlobStore, _ key: BlobKey) throws -> [UInt8] {
    var out: [UInt8] = []
    try store.get(key) { piece in
        out.append(contentsOf: piece)
        return true
    }
    return out
}

func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
}
