/// Where file bytes live: PostgreSQL chunks by default (`PostgresBlobStore`), or an S3-compatible bucket
/// (`S3BlobStore`). Every operation streams: no implementation holds a whole blob in memory. Blobs are immutable:
/// written once under a fresh key, read any number of times, deleted. What a blob means (an artifact, a run's
/// output file) and its size limit live with its owner (`ArtifactLibrary`), not here.
///
/// Calls block the calling thread (libpq, libcurl): call from request or scheduler threads, never the
/// cooperative pool.
public protocol BlobStore: Sendable {
    /// Short name for logs and the README (`postgres`, `s3://bucket`).
    var name: String { get }

    /// Stores exactly `length` bytes under `key`, pulling them from `read` (which fills the buffer it is given and
    /// returns the count, 0 at the end). Throws `BlobError.shortBody` when `read` ends early; nothing is stored
    /// then.
    func put(_ key: BlobKey, length: Int64, from read: (UnsafeMutableRawBufferPointer) throws -> Int) throws

    /// Pushes the blob's bytes to `write` in order, piece by piece; `write` returns false to stop early.
    /// Throws `BlobError.notFound` when there is no such blob.
    func get(_ key: BlobKey, into write: (UnsafeRawBufferPointer) throws -> Bool) throws

    /// Removes the blob; removing one that does not exist is not an error.
    func delete(_ key: BlobKey) throws

    /// The blob's size in bytes, or nil when it does not exist.
    func stat(_ key: BlobKey) throws -> Int64?
}
