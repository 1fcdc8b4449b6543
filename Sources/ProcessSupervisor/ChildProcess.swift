import Glibc

/// One running child, owned by the supervisor thread once `start` hands it over: its pid and process group, the
/// parent's ends of its pipes, a pidfd, its captured output, deadlines and directory.
final class ChildProcess {
    let id: String
    /// Also the process group id: the child leads its own group (POSIX_SPAWN_SETPGROUP with pgroup 0).
    let pid: pid_t
    let startedAt: ContinuousClock.Instant
    let timeoutDeadline: ContinuousClock.Instant?
    let directory: TaskDirectory

    var standardInput: FileDescriptor?
    var standardOutput: FileDescriptor?
    var standardError: FileDescriptor?
    /// The parent's end of fd 3 (`ProcessSpec.resultChannel`), and what came through it.
    var resultChannel: FileDescriptor?
    var result: OutputCapture?
    /// Readable once the process has exited; nil where pidfd_open is unavailable (the loop then checks on a tick).
    var pidfd: FileDescriptor?

    var pendingInput: [UInt8]
    var inputOffset = 0
    var stdout: OutputCapture
    var stderr: OutputCapture
    var progress = ProgressLineScanner()
    /// `ProcessSpec.reportsOutput`.
    var reportsOutput = false

    var timedOut = false
    var cancelled = false
    /// When the SIGTERM grace of a cancel ends and SIGKILL follows.
    var killDeadline: ContinuousClock.Instant?
    /// The wait status once reaped.
    var waitStatus: Int32?
    var reapedAt: ContinuousClock.Instant?

    init(
        id: String, pid: pid_t, timeout: Duration?, directory: TaskDirectory, input: [UInt8], outputBytes: Int,
        standardInput: FileDescriptor, standardOutput: FileDescriptor, standardError: FileDescriptor, resultChannel: FileDescriptor? = nil
    ) {
        self.id = id
        self.pid = pid
        let now = ContinuousClock.now
        startedAt = now
        timeoutDeadline = timeout.map { now + $0 }
        self.directory = directory
        pendingInput = input
        stdout = OutputCapture(capacity: outputBytes)
        stderr = OutputCapture(capacity: outputBytes)
        self.standardInput = standardInput
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.resultChannel = resultChannel
        if resultChannel != nil { result = OutputCapture(capacity: outputBytes) }
        if input.isEmpty {
            standardInput.close()
            self.standardInput = nil
        }
        if let pidfdOpen = GNUExtensions.pidfdOpen {
            let fd = pidfdOpen(pid, 0)
            if fd >= 0 { pidfd = FileDescriptor(fd) }
        }
    }

    var isReaped: Bool { waitStatus != nil }

    /// Signals the whole group. Safe while the leader is unreaped: its zombie keeps the pid, and so the group id,
    /// from being reused.
    func signalGroup(_ signal: Int32) {
        guard !isReaped else { return }
        _ = kill(-pid, signal)
    }

    /// Reaps the leader if it has exited, first killing whatever else is left in its group. Returns true once reaped.
    func reapIfExited() -> Bool {
        if isReaped { return true }
        var info = siginfo_t()
        // WNOWAIT: look without reaping, so the group id stays pinned for the kill below.
        let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        guard result == 0, info._sifields._kill.si_pid == pid else { return false }
        _ = kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        waitStatus = status
        pidfd?.close()
        pidfd = nil
        return true
    }

    /// No process is left in the group (zombies not yet reaped by their new parent still count as present).
    var groupIsGone: Bool { kill(-pid, 0) != 0 && errno == ESRCH }

    func closeAll() {
        standardInput?.close()
        standardOutput?.close()
        standardError?.close()
        resultChannel?.close()
        pidfd?.close()
        standardInput = nil
        standardOutput = nil
        standardError = nil
        resultChannel = nil
        pidfd = nil
    }

    func outcome(at now: ContinuousClock.Instant) -> ProcessOutcome {
        let status = waitStatus ?? 0
        // The <sys/wait.h> macros are not imported: WIFEXITED is (status & 0x7f) == 0, WEXITSTATUS (status >> 8) & 0xff,
        // WTERMSIG status & 0x7f.
        let exited = status & 0x7f == 0
        return ProcessOutcome(
            exitCode: exited ? (status >> 8) & 0xff : nil,
            signal: exited ? nil : status & 0x7f,
            timedOut: timedOut,
            cancelled: cancelled,
            stdout: stdout.bytes,
            stderr: stderr.bytes,
            stdoutTruncated: stdout.isTruncated,
            stderrTruncated: stderr.isTruncated,
            stdoutTotalBytes: stdout.totalBytes,
            stderrTotalBytes: stderr.totalBytes,
            result: result?.bytes,
            resultTruncated: result?.isTruncated ?? false,
            resultTotalBytes: result?.totalBytes ?? 0,
            duration: (reapedAt ?? now) - startedAt
        )
    }

    deinit {
        // A child dropped without being reaped (only if the supervisor thread dies) must not outlive its owner.
        if !isReaped {
            _ = kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
    }
}

@available(*, unavailable) extension ChildProcess: Sendable {}
