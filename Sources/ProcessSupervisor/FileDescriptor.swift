import Glibc

/// The one owner of a file descriptor: closed exactly once, by `close()` or at deinit.
final class FileDescriptor {
    let rawValue: Int32
    private(set) var isClosed = false

    init(_ rawValue: Int32) { self.rawValue = rawValue }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        // Linux close(2): the descriptor is released even when close reports EINTR; never retry.
        _ = Glibc.close(rawValue)
    }

    /// O_NONBLOCK on this end only: the child's end of a pipe stays blocking, as programs expect.
    func setNonBlocking() {
        let flags = fcntl(rawValue, F_GETFL)
        if flags >= 0 { _ = fcntl(rawValue, F_SETFL, flags | O_NONBLOCK) }
    }

    deinit { close() }

    /// A pipe with both ends close-on-exec (the child gets its ends through dup2, which clears the flag).
    static func pipe() throws(ProcessSupervisorError) -> (read: FileDescriptor, write: FileDescriptor) {
        guard let (read, write) = GNUExtensions.makePipe(flags: O_CLOEXEC) else {
            throw ProcessSupervisorError(.spawnFailed, "pipe", errno: errno)
        }
        return (FileDescriptor(read), FileDescriptor(write))
    }
}

@available(*, unavailable) extension FileDescriptor: Sendable {}
