import Glibc

/// Wakes a thread that sleeps in `poll()`: any thread writes a byte, the sleeper polls `readFD` and drains it. Both
/// ends are non-blocking, so a full pipe (many wake-ups before one drain) never blocks the waker. Shared by the SSE
/// hub and the parked-request registry; the two descriptors live as long as the process (as those do).
struct WakePipe: Sendable {
    let readFD: Int32
    private let writeFD: Int32

    init() {
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
        readFD = fds[0]
        writeFD = fds[1]
    }

    func wake() {
        var byte: UInt8 = 1
        _ = Glibc.write(writeFD, &byte, 1)
    }

    func drain() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while Glibc.read(readFD, &buffer, buffer.count) > 0 {}
    }
}
