import Foundation

/// A regular file opened to be streamed into a blob store: the one place a file on disk becomes blob bytes
/// (`BlobStore.putFile`, a run's output files through `RunFileLibrary`). Owns its descriptor and closes it in `deinit`.
///
/// `O_NOFOLLOW`: a run's working directory is tenant-controlled, so a symlink there must not pull in a host file;
/// `O_NONBLOCK`: a FIFO planted there must not hang the opener (it is then refused as not a regular file).
public final class RegularFileSource {
    /// The file's size when it was opened: the length a blob put announces.
    public let length: Int64
    private let fd: Int32
    /// How errors name the file (a run's file by its own name, never the host path of its working directory).
    private let name: String

    public init(path: String, name: String? = nil) throws {
        let name = name ?? path
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { throw BlobError.backend("cannot open \(name): errno \(errno)") }
        var status = Glibc.stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw BlobError.backend("\(name) is not a regular file")
        }
        self.fd = fd
        self.name = name
        length = Int64(status.st_size)
    }

    deinit { close(fd) }

    /// Fills `buffer` from the file; the count read, 0 at its end (the `read` a blob put pulls from).
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
        guard n >= 0 else { throw BlobError.backend("cannot read \(name): errno \(errno)") }
        return n
    }
}

@available(*, unavailable) extension RegularFileSource: Sendable {}
