#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's terminal: whether stdout is one, stderr output, and reading a password without echo.
enum Terminal {
    static var isInteractiveOutput: Bool { isatty(STDOUT_FILENO) == 1 }
    static var isInteractiveInput: Bool { isatty(STDIN_FILENO) == 1 }

    static func standardError(_ line: String) {
        var text = line
        if !text.hasSuffix("\n") { text += "\n" }
        // Flush stdout first so a message follows what was already printed; then unbuffered straight to fd 2.
        fflush(nil)
        _ = text.withCString { rawWrite(STDERR_FILENO, $0, strlen($0)) }
    }

    /// Flushes stdout (all C streams: naming `stdout` is not concurrency-safe in Swift 6).
    static func flush() { fflush(nil) }

    /// Writes to stdout without a newline and flushes, for progress lines redrawn with `\r`.
    static func write(_ text: String) {
        print(text, terminator: "")
        fflush(nil)
    }

    /// All of stdin as text (for `--password-stdin` and `--input @-`), without one trailing newline.
    static func readStandardInput(trimmingNewline: Bool = true) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, 4096) }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        var text = String(decoding: bytes, as: UTF8.self)
        if trimmingNewline {
            if text.hasSuffix("\r\n") { text.removeLast(2) } else if text.hasSuffix("\n") { text.removeLast() }
        }
        return text
    }

    /// Prompts on the controlling terminal and reads one line with echo off, restoring the terminal afterwards.
    static func readPassword(prompt: String) throws(CLIError) -> String {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY)
        guard fd >= 0 else { throw .usage("no terminal to read the password from; use --password-stdin") }
        defer { close(fd) }
        _ = prompt.withCString { rawWrite(fd, $0, strlen($0)) }
        var saved = termios()
        let canRestore = tcgetattr(fd, &saved) == 0
        if canRestore {
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            silent.c_lflag |= tcflag_t(ECHONL)
            tcsetattr(fd, TCSAFLUSH, &silent)
        }
        // Restore even when interrupted mid-line would need a signal handler; a cancelled login leaves echo off
        // only until the shell resets the terminal, which bash and zsh do at the next prompt.
        defer { if canRestore { tcsetattr(fd, TCSAFLUSH, &saved) } }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != 10 { bytes.append(byte) }
        if bytes.last == 13 { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// write(2), named apart from `Terminal.write` (which would shadow the C function inside this type).
    private static func rawWrite(_ fd: Int32, _ bytes: UnsafePointer<CChar>, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(fd, bytes, count)
        #else
        Darwin.write(fd, bytes, count)
        #endif
    }
}
