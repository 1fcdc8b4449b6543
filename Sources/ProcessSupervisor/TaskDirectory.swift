import Foundation
import Glibc

/// The working directory of one child. A directory the supervisor made is owned, and removed once, recursively,
/// by `remove()` or at deinit; a directory the caller named is only written into.
final class TaskDirectory {
    let path: String
    private var owned: Bool

    /// A fresh private directory: mkdtemp(3) creates it with mode 0700.
    init(freshUnder base: String) throws(ProcessSupervisorError) {
        var template = Array((base.hasSuffix("/") ? base : base + "/").utf8CString.dropLast())
            + Array("sweep-task-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        guard made else {
            throw ProcessSupervisorError(.workingDirectory, "cannot create a directory under \(base)", errno: errno)
        }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        owned = true
    }

    init(existing path: String) {
        self.path = path
        owned = false
    }

    /// Writes each file (mode 0644), creating missing intermediate directories (mode 0700). O_NOFOLLOW: a symlink
    /// already in a caller-named directory is not followed out of it.
    func write(_ files: [String: [UInt8]]) throws(ProcessSupervisorError) {
        for (relative, contents) in files {
            guard let components = ProcessSpec.relativeComponents(relative) else {
                throw ProcessSupervisorError(.invalidSpec, "invalid file path: \(relative)")
            }
            var directory = path
            for component in components.dropLast() {
                directory += "/" + component
                if mkdir(directory, 0o700) != 0 && errno != EEXIST {
                    throw ProcessSupervisorError(.workingDirectory, "mkdir \(directory)", errno: errno)
                }
            }
            let file = directory + "/" + components.last!
            let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw ProcessSupervisorError(.workingDirectory, "open \(file)", errno: errno) }
            let owner = FileDescriptor(fd)
            var offset = 0
            while offset < contents.count {
                let written = contents.withUnsafeBytes { Glibc.write(owner.rawValue, $0.baseAddress! + offset, $0.count - offset) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw ProcessSupervisorError(.workingDirectory, "write \(file)", errno: errno)
                }
                offset += written
            }
            owner.close()
        }
    }

    /// Hands a fresh directory (not the files in it, which stay read-only to others) to the sandbox's user.
    func chown(_ owner: ProcessSpec.DirectoryOwner) throws(ProcessSupervisorError) {
        if Glibc.chown(path, owner.uid, owner.gid) != 0 {
            throw ProcessSupervisorError(.workingDirectory, "chown \(path)", errno: errno)
        }
    }

    /// Removes an owned directory. Called only once the whole process group is dead, so nothing races the removal;
    /// Foundation's removal walks the tree without following symlinks the task may have left.
    func remove() {
        guard owned else { return }
        owned = false
        try? FileManager.default.removeItem(atPath: path)
    }

    deinit { remove() }
}

@available(*, unavailable) extension TaskDirectory: Sendable {}
