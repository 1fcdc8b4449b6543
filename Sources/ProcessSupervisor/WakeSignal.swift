import Glibc

/// A self-pipe that wakes the supervisor thread out of poll(2) when another thread starts or cancels a process.
/// Sendable: the descriptors are immutable, and write(2)/read(2) on a pipe are safe from any thread.
final class WakeSignal: Sendable {
    let readFD: Int32
    private let writeFD: Int32

    init() {
        // Without a wake-up pipe the supervisor cannot work at all; this fails only when out of descriptors.
        guard let (read, write) = GNUExtensions.makePipe(flags: O_CLOEXEC | O_NONBLOCK) else {
            fatalError("ProcessSupervisor: cannot create its wake-up pipe: errno \(errno)")
        }
        readFD = read
        writeFD = write
    }

    func wake() {
        var byte: UInt8 = 1
        // EAGAIN means the pipe is already full of wake-ups: nothing is lost.
        _ = write(writeFD, &byte, 1)
    }

    func drain() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(readFD, &buffer, buffer.count) > 0 {}
    }

    deinit {
        close(readFD)
        close(writeFD)
    }
}
