import Postgres
import SweepCrypto
import SweepStore
import Testing

@Suite(.serialized) struct PostgresBlobStoreTests {
    @Test func aBlobOfManyChunksComesBackByteForByte() throws {
        let db = try BlobTestDatabase()
        defer { db.close() }
        let user = try db.createUser("chunks")
        let store = PostgresBlobStore(database: db.database, chunkBytes: 1000)
        let bytes = randomBytes(10_500)
        let key = BlobKey.fresh(for: user)

        let source = SteppingSource(bytes)
        try store.put(key, length: Int64(bytes.count), from: source.read)

        #expect(try db.chunkRows(key) == 11)
        #expect(try store.stat(key) == 10_500)
        #expect(try collect(store, key) == bytes)
    }

    @Test func aBodyThatEndsEarlyStoresNothing() throws {
        let db = try BlobTestDatabase()
        defer { db.close() }
        let user = try db.createUser("short")
        let store = PostgresBlobStore(database: db.database, chunkBytes: 1000)
        let key = BlobKey.fresh(for: user)

        let source = SteppingSource(randomBytes(2500))
        #expect(throws: BlobError.self) { try store.put(key, length: 5000, from: source.read) }
        #expect(try db.chunkRows(key) == 0)
        #expect(try store.stat(key) == nil)
    }

    @Test func anEmptyBlobExistsAndIsEmpty() throws {
        let db = try BlobTestDatabase()
        defer { db.close() }
        let user = try db.createUser("empty")
        let store = PostgresBlobStore(database: db.database)
        let key = BlobKey.fresh(for: user)

        try store.put(key, length: 0, from: SteppingSource([]).read)
        #expect(try store.stat(key) == 0)
        #expect(try collect(store, key) == [])
    }

    @Test func anotherUsersKeyFindsNothingAndDeleteRemovesEveryChunk() throws {
        let db = try BlobTestDatabase()
        defer { db.close() }
        let owner = try db.createUser("owner")
        let stranger = try db.createUser("stranger")
        let store = PostgresBlobStore(database: db.database, chunkBytes: 100)
        let key = BlobKey.fresh(for: owner)
        try store.put(key, length: 450, from: SteppingSource(randomBytes(450)).read)

        // The same blob id under another user is another key: row-level security and the key both say so.
        let foreign = BlobKey(userID: stranger, id: key.id)
        #expect(try store.stat(foreign) == nil)
        #expect(throws: BlobError.self) { _ = try collect(store, foreign) }
        try store.delete(foreign)
        #expect(try db.chunkRows(key) == 5)

        try store.delete(key)
        #expect(try db.chunkRows(key) == 0)
        #expect(throws: BlobError.self) { _ = try collect(store, key) }
    }

    @Test func aReaderThatStopsGetsNoMoreChunks() throws {
        let db = try BlobTestDatabase()
        defer { db.close() }
        let user = try db.createUser("stopper")
        let store = PostgresBlobStore(database: db.database, chunkBytes: 100)
        let key = BlobKey.fresh(for: user)
        try store.put(key, length: 1000, from: SteppingSource(randomBytes(1000)).read)

        var pieces = 0
        try store.get(key) { _ in
            pieces += 1
            return pieces < 3
        }
        #expect(pieces == 3)
    }

    @Test func aBlobDeletedMidDownloadStillArrivesWhole() throws {
        let db = try BlobTestDatabase()
        defer { db.close() }
        let user = try db.createUser("racer")
        let store = PostgresBlobStore(database: db.database, chunkBytes: 100)
        let bytes = randomBytes(1000)
        let key = BlobKey.fresh(for: user)
        try store.put(key, length: 1000, from: SteppingSource(bytes).read)

        var received: [UInt8] = []
        try store.get(key) { piece in
            // What replacing the artifact does to the old blob, after the first chunk went out.
            if received.isEmpty { try store.delete(key) }
            received.append(contentsOf: piece)
            return true
        }
        #expect(received == bytes)
        #expect(try db.chunkRows(key) == 0)
    }
}
