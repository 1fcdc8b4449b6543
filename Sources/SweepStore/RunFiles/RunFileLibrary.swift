import Foundation
import Logging
import SweepModel
import SweepStates

/// Run output files end to end: rows in `run_files`, bytes in the configured `BlobStore`, sizes under the user's
/// stored-bytes limit (shared with artifacts). Both ways in use it: the sandboxes' collection after a run
/// (`collect`) and the run API's `PUT /run/files/{name}` (`store`); the API's file routes read through it.
public struct RunFileLibrary: Sendable {
    /// Output files one run may keep (globs over a directory the task fills could match thousands).
    public static let maxFilesPerRun = 256

    public let database: Database
    public let blobs: any BlobStore
    public let limits: StorageLimits
    let logger: Logger

    public init(database: Database, blobs: any BlobStore, limits: StorageLimits = StorageLimits(),
                logger: Logger = Logger(label: "sweep.run-files")) {
        self.database = database
        self.blobs = blobs
        self.limits = limits
        self.logger = logger
    }

    /// Stores `length` bytes from `read` as output file `name` of the run (replacing one of that name).
    public func store(userID: UserID, launchID: String, runID: RunRowID, name: String, length: Int64,
                      from read: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> RunFileRecord {
        if let problem = ArtifactName.problem(name) { throw RunFileError.invalidName(problem) }
        let key = BlobKey.fresh(for: userID)
        try database.tenant(userID) { tx in
            try checkLimits(tx, launchID: launchID, runID: runID, name: name, adding: length)
            try PendingBlobStore.begin(tx, key)  // before the first byte: see ArtifactLibrary.upload
        }
        let sha256 = try blobs.putHashing(key, length: length, logger: logger, from: read)
        do {
            return try database.tenant(userID) { tx in
                try ArtifactStore(tx).lockStorage()
                try checkLimits(tx, launchID: launchID, runID: runID, name: name, adding: length)
                guard try PendingBlobStore.finish(tx, key) else { throw BlobError.sweptWhileUploading }
                return try RunFileStore(tx).upsert(launchID: launchID, runID: runID, name: name, blobID: key.id, size: length, sha256: sha256)
            }
        } catch {
            blobs.discard(key, logger: logger)
            throw error
        }
    }

    /// Stores the regular file at `path` (never through a symlink: the directory is the task's) as output file `name`.
    public func store(userID: UserID, launchID: String, runID: RunRowID, name: String, path: String) throws -> RunFileRecord {
        let file = try RegularFileSource(path: path, name: name)
        return try store(userID: userID, launchID: launchID, runID: runID, name: name, length: file.length, from: file.read)
    }

    /// Collects the files at the top of `directory` whose names match one of `patterns` (after a run, whatever its
    /// end). Returns one line per file that could not be kept, for the run's log; the others are stored.
    public func collect(userID: UserID, launchID: String, runID: RunRowID, directory: String, patterns: [String],
                        excluding: Set<String> = []) -> [String] {
        guard !patterns.isEmpty else { return [] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            return ["output files not collected: cannot list the working directory (\(error))"]
        }
        var problems: [String] = []
        for name in names where !excluding.contains(name) && ArtifactName.problem(name) == nil
            && patterns.contains(where: { OutputPattern.matches($0, name) }) {
            do {
                _ = try store(userID: userID, launchID: launchID, runID: runID, name: name, path: directory + "/" + name)
            } catch let error as RunFileError {
                problems.append("output file \(name) not kept: \(error)")
                if case .tooManyFiles = error { break }
            } catch {
                problems.append("output file \(name) not kept: \(error)")
            }
        }
        return problems
    }

    public func list(userID: UserID, launchID: String, runName: String, after cursor: String? = nil, limit: Int? = nil) throws -> [RunFileRecord]? {
        try database.tenant(userID) { tx in
            let store = RunFileStore(tx)
            guard let runID = try store.runRowID(launchID: launchID, runName: runName) else { return nil }
            return try store.list(launchID: launchID, runID: runID, after: cursor, limit: limit)
        }
    }

    public func find(userID: UserID, launchID: String, runName: String, name: String) throws -> RunFileRecord? {
        try database.tenant(userID) { tx in
            let store = RunFileStore(tx)
            guard let runID = try store.runRowID(launchID: launchID, runName: runName) else { return nil }
            return try store.find(launchID: launchID, runID: runID, name: name)
        }
    }

    public func read(_ record: RunFileRecord, into write: (UnsafeRawBufferPointer) throws -> Bool) throws {
        try blobs.get(record.blob, into: write)
    }

    private func checkLimits(_ tx: TenantTransaction, launchID: String, runID: RunRowID, name: String, adding length: Int64) throws {
        let files = RunFileStore(tx)
        if try files.find(launchID: launchID, runID: runID, name: name) == nil,
           try files.count(launchID: launchID, runID: runID) >= Self.maxFilesPerRun {
            throw RunFileError.tooManyFiles(limit: Self.maxFilesPerRun)
        }
        let limit = try limits.storedBytesLimit(tx)
        let used = try ArtifactStore(tx).storedBytes(excluding: nil)
        if used + length > limit {
            throw RunFileError.storageLimitExceeded(limit: limit, used: used, requested: length)
        }
    }
}
