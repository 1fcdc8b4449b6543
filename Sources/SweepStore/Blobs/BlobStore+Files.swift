import Foundation
import SweepCrypto

/// Files on disk in and out of a blob store, streamed: what the sandboxes need to stage artifacts into a run's
/// working directory and to collect its output files.
extension BlobStore {
    /// Stores the regular file at `path` under `key`; returns its size and SHA-256 (lowercase hex).
    /// `O_NOFOLLOW`: a run's working directory is tenant-controlled, so a symlink there must not pull in a host file.
    public func putFile(_ key: BlobKey, path: String) throws -> (size: Int64, sha256: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw BlobError.backend("cannot open \(path): errno \(errno)") }
        defer { close(fd) }
        var status = Glibc.stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw BlobError.backend("\(path) is not a regular file")
        }
        let length = Int64(status.st_size)
        let hasher = SHA256Hasher()
        try put(key, length: length) { buffer in
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            guard n >= 0 else { throw BlobError.backend("cannot read \(path): errno \(errno)") }
            if n > 0 { hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) }
            return n
        }
        return (length, hasher.finalizeHex())
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
