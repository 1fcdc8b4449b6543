import Foundation
import Postgres
import SweepCrypto
import SweepStore
import Testing

@Suite(.serialized) struct ArtifactLibraryTests {
    @Test func replacingAnArtifactDeletesTheBlobItReplaced() throws {
        let db = try BlobTestDatabase()
        defer { db.close() }
        let user = try db.createUser("replacer")
        let library = ArtifactLibrary(database: db.database, blobs: PostgresBlobStore(database: db.database, chunkBytes: 256))
        let first = randomBytes(1000)
        let second = randomBytes(700)

        let old = try library.upload(userID: user, name: "data.bin", length: 1000, from: SteppingSource(first).read)
        #expect(old.sha256 == Digest.sha256Hex(first))
        let new = try library.upload(userID: user, name: "data.bin", length: 700, from: SteppingSource(second).read)

        #expect(new.blob != old.blob)
        #expect(new.size == 700 && new.sha256 == Digest.sha256Hex(second))
        #expect(try db.chunkRows(old.blob) == 0)
        #expect(try library.find(userID: user, name: "data.bin") == new)
        var read: [UInt8] = []
        try library.read(new) { read.append(contentsOf: $0); return true }
        #expect(read == second)
    }

    @Test func anUploadOverTheStoredBytesLimitIsRefusedBeforeAndAfterReading() throws {
        let db = try BlobTestDatabase()
        defer { db.close() }
        let user = try db.createUser("limited")
        let library = ArtifactLibrary(database: db.database, blobs: PostgresBlobStore(database: db.database),
                                      limits: StorageLimits(defaultStoredBytes: 1500))
        _ = try library.upload(userID: user, name: "a", length: 1000, from: SteppingSource(randomBytes(1000)).read)

        let source = SteppingSource(randomBytes(600))
        #expect(throws: ArtifactError.self) { try library.upload(userID: user, name: "b", length: 600, from: source.read) }
        // Refused on the announced length: not a byte was read.
        #expect(source.read(UnsafeMutableRawBufferPointer.allocate(byteCount: 1, alignment: 1)) == 1)
        // Replacing "a" frees its 1000 bytes, so 1400 fit.
        _ = try library.upload(userID: user, name: "a", length: 1400, from: SteppingSource(randomBytes(1400)).read)
        #expect(try library.list(userID: user, after: nil, limit: 10).map(\.size) == [1400])
    }

    @Test func aWrongAnnouncedDigestStoresNothing() throws {
        let db = try BlobTestDatabase()
        defer { db.close() }
        let user = try db.createUser("digest")
        let library = ArtifactLibrary(database: db.database, blobs: PostgresBlobStore(database: db.database))
        let bytes = randomBytes(300)

        #expect(throws: ArtifactError.self) {
            try library.upload(userID: user, name: "x", length: 300, expectedSHA256: String(repeating: "0", count: 64), from: SteppingSource(bytes).read)
        }
        #expect(try library.find(userID: user, name: "x") == nil)
        let leftovers = try db.database.system { try $0.query("SELECT count(*) AS n FROM blob_chunks")[0].decode(Int64.self, column: "n") }
        #expect(leftovers == 0)

        let stored = try library.upload(userID: user, name: "x", length: 300, expectedSHA256: Digest.sha256Hex(bytes), from: SteppingSource(bytes).read)
        #expect(stored.sha256 == Digest.sha256Hex(bytes))
        #expect(try library.delete(userID: user, name: "x"))
        #expect(try db.chunkRows(stored.blob) == 0)
        #expect(try !library.delete(userID: user, name: "x"))
    }
}

@Suite(.serialized) struct BlobFileTests {
    @Test func aFileGoesInAndAnArtifactIsStagedReadOnly() throws {
        let db = try BlobTestDatabase()
        defer { db.close() }
        let user = try db.createUser("files")
        let store = PostgresBlobStore(database: db.database, chunkBytes: 4096)
        let library = ArtifactLibrary(database: db.database, blobs: store)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("blobfiles-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bytes = randomBytes(50_000)
        FileManager.default.createFile(atPath: folder + "/out.dat", contents: Data(bytes))

        let key = BlobKey.fresh(for: user)
        let (size, sha256) = try store.putFile(key, path: folder + "/out.dat")
        #expect(size == 50_000 && sha256 == Digest.sha256Hex(bytes))
        #expect(try collect(store, key) == bytes)

        // A symlink in a working directory must not smuggle in another file.
        try FileManager.default.createSymbolicLink(atPath: folder + "/link", withDestinationPath: folder + "/out.dat")
        #expect(throws: BlobError.self) { _ = try store.putFile(BlobKey.fresh(for: user), path: folder + "/link") }

        _ = try library.upload(userID: user, name: "sample.in", length: 50_000, from: SteppingSource(bytes).read)
        try library.stage(userID: user, name: "sample.in", to: folder + "/sample.in")
        #expect(FileManager.default.contents(atPath: folder + "/sample.in") == Data(bytes))
        let mode = try FileManager.default.attributesOfItem(atPath: folder + "/sample.in")[.posixPermissions] as? Int
        #expect(mode == 0o444)
        #expect(throws: BlobError.self) { try library.stage(userID: user, name: "missing", to: folder + "/missing") }
        #expect(!FileManager.default.fileExists(atPath: folder + "/missing"))
    }
}
