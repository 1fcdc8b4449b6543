import Foundation
import Logging

/// Artifacts end to end: metadata in `artifacts`, bytes in the configured `BlobStore`, sizes under the user's
/// stored-bytes limit. The API's artifact routes use it, and so will the sandboxes that stage artifacts into a
/// run's working directory (`stage(_:to:)`).
///
/// An upload writes a new blob under a fresh key, then points the artifact at it, then deletes the blob it
/// replaced: a reader never sees a half-written file, and a failed upload leaves the old artifact as it was.
public struct ArtifactLibrary: Sendable {
    public let database: Database
    public let blobs: any BlobStore
    public let limits: StorageLimits
    let logger: Logger

    public init(database: Database, blobs: any BlobStore, limits: StorageLimits = StorageLimits(),
                logger: Logger = Logger(label: "sweep.artifacts")) {
        self.database = database
        self.blobs = blobs
        self.limits = limits
        self.logger = logger
    }

    /// Stores `length` bytes from `read` as artifact `name` of `userID`, replacing any artifact of that name.
    /// `expectedSHA256` (lowercase hex), when given, must match the bytes, or nothing is stored.
    public func upload(userID: UserID, name: String, length: Int64, expectedSHA256: String? = nil,
                       from read: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> ArtifactRecord {
        // Refuse early, before reading a byte, when the announced length cannot fit; journal the blob before its first
        // byte is written, so a crash mid-upload leaves it to UnfinishedUploadSweeper.
        let key = BlobKey.fresh(for: userID)
        try database.tenant(userID) { tx in
            try checkLimit(ArtifactStore(tx), tx: tx, name: name, adding: length)
            try PendingBlobStore.begin(tx, key)
        }

        let sha256 = try blobs.putHashing(key, length: length, logger: logger, from: read)
        if let expectedSHA256, expectedSHA256 != sha256 {
            blobs.discard(key, logger: logger)
            throw ArtifactError.digestMismatch(expected: expectedSHA256, actual: sha256)
        }

        let (record, replaced): (ArtifactRecord, BlobKey?)
        do {
            (record, replaced) = try database.tenant(userID) { tx in
                let store = ArtifactStore(tx)
                try store.lockStorage()
                try checkLimit(store, tx: tx, name: name, adding: length)
                guard try PendingBlobStore.finish(tx, key) else { throw BlobError.sweptWhileUploading }
                return try store.upsert(name: name, blobID: key.id, size: length, sha256: sha256)
            }
        } catch {
            blobs.discard(key, logger: logger)
            throw error
        }
        if let replaced { blobs.discard(replaced, logger: logger) }
        return record
    }

    public func find(userID: UserID, name: String) throws -> ArtifactRecord? {
        try database.tenant(userID) { try ArtifactStore($0).find(name: name) }
    }

    public func list(userID: UserID, after cursor: String?, limit: Int) throws -> [ArtifactRecord] {
        try database.tenant(userID) { try ArtifactStore($0).list(after: cursor, limit: limit) }
    }

    /// Streams the artifact's bytes to `write` (false stops early).
    public func read(_ record: ArtifactRecord, into write: (UnsafeRawBufferPointer) throws -> Bool) throws {
        try blobs.get(record.blob, into: write)
    }

    /// True when the artifact existed; its bytes are removed after its row.
    public func delete(userID: UserID, name: String) throws -> Bool {
        guard let key = try database.tenant(userID, { try ArtifactStore($0).delete(name: name) }) else { return false }
        blobs.discard(key, logger: logger)
        return true
    }

    /// Writes the artifact to a new read-only file at `path`, streaming: how a sandbox stages a declared artifact
    /// into a run's working directory. Throws `BlobError.notFound` when the user has no artifact of that name.
    public func stage(userID: UserID, name: String, to path: String) throws {
        guard let record = try find(userID: userID, name: name) else { throw BlobError.notFound(BlobKey(userID: userID, id: name)) }
        try blobs.getFile(record.blob, path: path, mode: 0o444)
    }

    private func checkLimit(_ store: ArtifactStore, tx: TenantTransaction, name: String, adding length: Int64) throws {
        let limit = try limits.storedBytesLimit(tx)
        let used = try store.storedBytes(excluding: name)
        if used + length > limit {
            throw ArtifactError.storageLimitExceeded(limit: limit, used: used, requested: length)
        }
    }
}
