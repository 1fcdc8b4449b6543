import Glibc

/// glibc functions that Swift's Glibc module does not import (they need `_GNU_SOURCE`, or a header the module map
/// leaves out). This target may depend on nothing but Glibc, Foundation and Synchronization, so rather than a C shim
/// module they are looked up once with dlsym; each is nil where the C library lacks it.
enum GNUExtensions {
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias PidfdOpen = @convention(c) (pid_t, UInt32) -> Int32
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32

    /// glibc 2.34+: `posix_spawn_file_actions_addclosefrom_np(actions, from)` closes every fd >= from in the child.
    static let addCloseFrom: AddCloseFrom? = lookUp("posix_spawn_file_actions_addclosefrom_np")
    /// glibc 2.29+: `posix_spawn_file_actions_addchdir_np(actions, path)`.
    static let addChdir: AddChdir? = lookUp("posix_spawn_file_actions_addchdir_np")
    /// glibc 2.36+, Linux 5.3+: a pollable fd that becomes readable when the process exits.
    static let pidfdOpen: PidfdOpen? = lookUp("pidfd_open")

    /// pipe2(2): the flags (O_CLOEXEC) are set atomically, so a fork/exec on another thread cannot inherit the pipe.
    private static let pipe2: Pipe2? = lookUp("pipe2")

    /// A pipe whose both ends have `flags` (O_CLOEXEC, O_NONBLOCK); without pipe2, set right after pipe(2).
    static func makePipe(flags: Int32) -> (Int32, Int32)? {
        var fds: [Int32] = [-1, -1]
        if let pipe2 {
            guard pipe2(&fds, flags) == 0 else { return nil }
        } else {
            guard pipe(&fds) == 0 else { return nil }
            for fd in fds {
                if flags & O_CLOEXEC != 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
                if flags & O_NONBLOCK != 0 { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
            }
        }
        return (fds[0], fds[1])
    }

    private static func lookUp<F>(_ name: String) -> F? {
        // dlsym(RTLD_DEFAULT, …): RTLD_DEFAULT is the null handle in glibc.
        guard let symbol = dlsym(nil, name) else { return nil }
        return unsafeBitCast(symbol, to: F.self)
    }
}
