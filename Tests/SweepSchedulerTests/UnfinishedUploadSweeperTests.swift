import Foundation
import Postgres
@testable import SweepScheduler
import SweepStore
import SweepTestSupport
import Testing

/// `UnfinishedUploadSweeper` against a real PostgreSQL and the embedded blob store: what a crash mid-upload leaves (a
/// journal entry and committed chunks nothing points at) goes once the injected clock passes the grace period;
/// finished uploads, and blobs a row points at, stay.
@Suite(.serialized) struct UnfinishedUploadSweeperTests {
    let url: String
    let database: Database
    let connection: PostgresConnection
    let blobs: PostgresBlobStore

    init() throws {
        url = try TestDatabase.fresh()
        database = Database(url: url, maxConnections: 4)
        connection = try PostgresConnection(url: url, applicationName: "sweep-scheduler-tests")
        blobs = PostgresBlobStore(database: database, chunkBytes: 1024)
    }

    func put(_ key: BlobKey, _ bytes: [UInt8]) throws {
        var offset = 0
        try blobs.put(key, length: Int64(bytes.count)) { buffer in
            let n = min(buffer.count, bytes.count - offset)
            bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + n])) }
            offset += n
            return n
        }
    }

    func pending() throws -> Int64 {
        try connection.query("SELECT count(*) AS n FROM pending_blobs")[0].decode(Int64.self, column: "n")
    }

    func sweeper(at moment: Date, grace: Int = 600) -> UnfinishedUploadSweeper {
        UnfinishedUploadSweeper(blobs: blobs, graceSeconds: grace, clock: TransitionClock { moment })
    }

    @Test func aCrashedUploadsBlobIsDeletedAfterTheGracePeriodAndLiveBlobsStay() throws {
        let tenant = try TestTenant.create(database)
        let user = tenant.userID
        let library = ArtifactLibrary(database: database, blobs: blobs)
        let liveBytes = (0..<5000).map { UInt8($0 % 251) }
        var offset = 0
        let live = try library.upload(userID: user, name: "live.bin", length: Int64(liveBytes.count)) { buffer in
            let n = min(buffer.count, liveBytes.count - offset)
            liveBytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + n])) }
            offset += n
            return n
        }
        #expect(try pending() == 0, "a finished upload clears its journal entry")

        // What a worker killed after the blob's bytes but before its row leaves behind.
        let orphan = BlobKey.fresh(for: user)
        try tenant.tenant { try PendingBlobStore.begin($0, orphan) }
        try put(orphan, Array(repeating: 7, count: 3000))
        // An entry whose blob a row points at after all (finish never ran): cleared, the blob kept.
        let pointed = BlobKey.fresh(for: user)
        try tenant.tenant { try PendingBlobStore.begin($0, pointed) }
        try put(pointed, [1, 2, 3])
        _ = try tenant.tenant { try ArtifactStore($0).upsert(name: "pointed.bin", blobID: pointed.id, size: 3, sha256: "x") }
        #expect(try pending() == 2)

        // Inside the grace period nothing is taken.
        #expect(try sweeper(at: Date().addingTimeInterval(500)).sweep(connection) == 0)
        #expect(try blobs.stat(orphan) == 3000)

        // Past it: the orphan's chunks are gone; the live artifact and the pointed-at blob are untouched.
        #expect(try sweeper(at: Date().addingTimeInterval(700)).sweep(connection) == 2)
        #expect(try blobs.stat(orphan) == nil)
        #expect(try blobs.stat(pointed) == 3)
        #expect(try blobs.stat(live.blob) == Int64(liveBytes.count))
        #expect(try pending() == 0)
        #expect(try sweeper(at: Date().addingTimeInterval(700)).sweep(connection) == 0, "idempotent")
    }

    @Test func anUploadThatOutlivesTheGracePeriodIsRefusedNotLeftPointingAtNothing() throws {
        let tenant = try TestTenant.create(database)
        let slow = BlobKey.fresh(for: tenant.userID)
        try tenant.tenant { try PendingBlobStore.begin($0, slow) }
        try put(slow, [9, 9])
        #expect(try sweeper(at: Date().addingTimeInterval(3600)).sweep(connection) == 1)
        #expect(try tenant.tenant { try PendingBlobStore.finish($0, slow) } == false)
    }

    @Test func twoSweepersNeverTakeTheSameEntry() throws {
        let tenant = try TestTenant.create(database)
        for _ in 0..<3 {
            let key = BlobKey.fresh(for: tenant.userID)
            try tenant.tenant { try PendingBlobStore.begin($0, key) }
        }
        let later = Date().addingTimeInterval(3600)
        // One sweeper's pass holds its rows (an open transaction); another skips them instead of waiting.
        try connection.transaction { held in
            let taken = try PendingBlobStore.stale(held, now: later, graceSeconds: 600, limit: 2)
            #expect(taken.count == 2)
            let other = try PostgresConnection(url: url, applicationName: "sweep-scheduler-tests")
            #expect(try sweeper(at: later).sweep(other) == 1)
        }
    }
}
