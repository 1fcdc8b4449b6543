import Foundation
import Logging

/// Files on disk in and out of a blob store, streamed: what the sandboxes need to stage artifacts into a run's
/// working directory and to collect its output files.
extension BlobStore {
    /// Stores the regular file at `path` under `key` (never through a symlink: see `RegularFileSource`); returns its
    /// size and SHA-256 (lowercase hex). A failed put deletes what it wrote.
    public func putFile(_ key: BlobKey, path: String, logger: Logger = Logger(label: "sweep.blobs")) throws -> (size: Int64, sha256: String) {
        let file = try RegularFileSource(path: path)
        return (file.length, try putHashing(key, length: file.length, logger: logger, from: file.read))
    }

    /// Writes the blob to a new file at `path` (which must not exist) with permissions `mode`.
    public func getFile(_ key: BlobKey, path: String, mode: mode_t = 0o444) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw BlobError.backend("cannot create \(path): errno \(errno)") }
        var complete = false
        defer {
            close(fd)
            if !complete { unlink(path) }
        }
        try get(key) { piece in
            var offset = 0
            while offset < piece.count {
                let n = Glibc.write(fd, piece.baseAddress! + offset, piece.count - offset)
                guard n > 0 else { throw BlobError.backend("cannot write \(path): errno \(errno)") }
                offset += n
            }
            return true
        }
        complete = true
    }
}
