import SweepStore

/// Where a scheduler reads artifacts and keeps output files: the blob store the worker uses
/// (`SWEEP_BLOB_STORE`), under the same stored-bytes limit. nil in a scheduler built without one (tests of the
/// loop alone): a task that declares files then fails, naming why.
public struct TaskFileServices: Sendable {
    public let artifacts: ArtifactLibrary
    public let outputs: RunFileLibrary

    public init(database: Database, blobs: any BlobStore, limits: StorageLimits) {
        artifacts = ArtifactLibrary(database: database, blobs: blobs, limits: limits)
        outputs = RunFileLibrary(database: database, blobs: blobs, limits: limits)
    }
}
