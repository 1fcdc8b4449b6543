import Dispatch
import Glibc
import Synchronization
import DurationUnits

/// The supervisor thread's work: one poll(2) loop over every child's pipes and pidfd plus the wake-up pipe.
/// Lives on that thread only; other threads reach it through `SupervisorShared`.
final class SupervisorLoop {
    private let shared: SupervisorShared
    private var children: [String: ChildProcess] = [:]
    /// Reads per descriptor per wake-up, so one chatty child cannot starve the others.
    private let readsPerTurn = 16
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
    /// Where pidfd_open is unavailable, how often exits are checked for; also how often a reaped child's group is
    /// checked while it dies.
    private let reapTick: Duration = .milliseconds(20)
    /// After the leader is reaped and its group SIGKILLed, how long to wait for the rest of the group to be gone
    /// or close the pipes before reporting anyway (a process that left the group with setsid may never do either).
    private let settleTime: Duration = .milliseconds(500)

    init(shared: SupervisorShared) { self.shared = shared }

    deinit { scratch.deallocate() }

    func run() {
        // A write to the stdin of a child that has exited raises SIGPIPE, which would kill the whole scheduler.
        // Blocked on this thread only, it stays pending and write(2) returns EPIPE instead.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)

        while true {
            shared.wake.drain()
            let inbox = shared.state.withLock { $0.takeInbox() }
            for handoff in inbox.started { children[handoff.child.id] = handoff.child }
            let now = ContinuousClock.now
            if inbox.stopping {
                for child in children.values { terminate(child, grace: .zero, now: now) }
            } else if inbox.cancelAll {
                for child in children.values { terminate(child, grace: shared.terminationGrace, now: now) }
            } else {
                for id in inbox.cancelRequests {
                    if let child = children[id] { terminate(child, grace: shared.terminationGrace, now: now) }
                }
            }
            if inbox.stopping && children.isEmpty { return }
            turn()
        }
    }

    private func terminate(_ child: ChildProcess, grace: Duration, now: ContinuousClock.Instant) {
        child.cancelled = true
        if grace > .zero {
            child.signalGroup(SIGTERM)
            let deadline = now + grace
            child.killDeadline = min(child.killDeadline ?? deadline, deadline)
        } else {
            child.signalGroup(SIGKILL)
        }
    }

    private enum Stream { case exit, input, output, errors, result }

    /// One poll(2) and what follows from it.
    private func turn() {
        var fds = [pollfd(fd: shared.wake.readFD, events: Int16(POLLIN), revents: 0)]
        var owners: [(ChildProcess, Stream)] = []
        var nearest: ContinuousClock.Instant?
        let now = ContinuousClock.now
        for child in children.values {
            if let pidfd = child.pidfd {
                fds.append(pollfd(fd: pidfd.rawValue, events: Int16(POLLIN), revents: 0))
                owners.append((child, .exit))
            } else {
                nearest = earliest(nearest, now + reapTick)
            }
            if let input = child.standardInput {
                fds.append(pollfd(fd: input.rawValue, events: Int16(POLLOUT), revents: 0))
                owners.append((child, .input))
            }
            if let output = child.standardOutput {
                fds.append(pollfd(fd: output.rawValue, events: Int16(POLLIN), revents: 0))
                owners.append((child, .output))
            }
            if let errors = child.standardError {
                fds.append(pollfd(fd: errors.rawValue, events: Int16(POLLIN), revents: 0))
                owners.append((child, .errors))
            }
            if let result = child.resultChannel {
                fds.append(pollfd(fd: result.rawValue, events: Int16(POLLIN), revents: 0))
                owners.append((child, .result))
            }
            if !child.timedOut, let deadline = child.timeoutDeadline { nearest = earliest(nearest, deadline) }
            if let deadline = child.killDeadline { nearest = earliest(nearest, deadline) }
            if let reapedAt = child.reapedAt { nearest = earliest(nearest, reapedAt + settleTime) }
        }

        let timeout = nearest.map { Self.milliseconds(until: $0, from: now) } ?? -1
        let ready = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress!, nfds_t($0.count), timeout) }
        if ready < 0 && errno != EINTR {
            // Only EFAULT/EINVAL/ENOMEM remain: nothing to wait on is reliable now; avoid a hot loop.
            usleep(10_000)
        }

        var exited: Set<String> = []
        if ready > 0 {
            for (index, pfd) in fds.enumerated().dropFirst() where pfd.revents != 0 {
                let (child, stream) = owners[index - 1]
                switch stream {
                case .exit: exited.insert(child.id)
                case .input: writeInput(child)
                case .output: readOutput(child)
                case .errors: readErrors(child)
                case .result: readResult(child)
                }
            }
        }

        let later = ContinuousClock.now
        for child in Array(children.values) {
            if !child.timedOut && !child.cancelled, let deadline = child.timeoutDeadline, deadline <= later {
                child.timedOut = true
                child.signalGroup(SIGKILL)
            }
            if let deadline = child.killDeadline, deadline <= later {
                child.killDeadline = nil
                child.signalGroup(SIGKILL)
            }
            if child.reapedAt == nil, child.pidfd == nil || exited.contains(child.id), child.reapIfExited() {
                child.reapedAt = later
            }
            // SIGKILL is delivered asynchronously: report only once the rest of the group has closed the pipes or
            // is gone, so that no task process outlives its `.finished`.
            if let reapedAt = child.reapedAt,
                (child.standardOutput == nil && child.standardError == nil && child.resultChannel == nil) || child.groupIsGone
                    || later >= reapedAt + settleTime
            {
                finish(child, at: later)
            }
        }
    }

    private func writeInput(_ child: ChildProcess) {
        guard let input = child.standardInput else { return }
        while child.inputOffset < child.pendingInput.count {
            let written = child.pendingInput.withUnsafeBytes {
                write(input.rawValue, $0.baseAddress! + child.inputOffset, $0.count - child.inputOffset)
            }
            if written > 0 {
                child.inputOffset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else if written < 0 && errno == EAGAIN {
                return
            } else {
                break  // EPIPE: the child closed its stdin or exited; the rest is dropped.
            }
        }
        input.close()
        child.standardInput = nil
        child.pendingInput = []
    }

    private func readOutput(_ child: ChildProcess) {
        guard let output = child.standardOutput, drain(output, of: child, isStandardOutput: true) else { return }
        output.close()
        child.standardOutput = nil
    }

    private func readErrors(_ child: ChildProcess) {
        guard let errors = child.standardError, drain(errors, of: child, isStandardOutput: false) else { return }
        errors.close()
        child.standardError = nil
    }

    private func readResult(_ child: ChildProcess) {
        guard let result = child.resultChannel, drain(result, of: child, isStandardOutput: false, isResult: true) else { return }
        result.close()
        child.resultChannel = nil
    }

    /// Reads what is there without blocking; true at end of file or on a read error. The result channel is only
    /// captured: it is neither reported as output nor scanned for progress lines.
    private func drain(_ fd: FileDescriptor, of child: ChildProcess, isStandardOutput: Bool, isResult: Bool = false) -> Bool {
        for _ in 0..<readsPerTurn {
            let count = read(fd.rawValue, scratch.baseAddress!, scratch.count)
            if count > 0 {
                let chunk = UnsafeRawBufferPointer(rebasing: scratch[0..<count])
                if isResult {
                    child.result?.append(chunk)
                    continue
                }
                if child.reportsOutput { shared.onEvent(.output(id: child.id, standardOutput: isStandardOutput, bytes: Array(chunk))) }
                if isStandardOutput {
                    child.stdout.append(chunk)
                    for report in child.progress.scan(chunk) {
                        shared.onEvent(.progress(id: child.id, percent: report.percent, message: report.message))
                    }
                } else {
                    child.stderr.append(chunk)
                }
            } else if count == 0 {
                return true
            } else if errno == EINTR {
                continue
            } else {
                return errno != EAGAIN
            }
        }
        return false
    }

    /// The leader is reaped and its group dead (or past the settle time): take what is left in the pipes (one turn
    /// of reads covers a full pipe buffer) and stop reading, so a process that escaped the group (setsid) and still
    /// holds a pipe cannot hold up the outcome.
    private func finish(_ child: ChildProcess, at now: ContinuousClock.Instant) {
        if let output = child.standardOutput { _ = drain(output, of: child, isStandardOutput: true) }
        if let errors = child.standardError { _ = drain(errors, of: child, isStandardOutput: false) }
        if let result = child.resultChannel { _ = drain(result, of: child, isStandardOutput: false, isResult: true) }
        child.closeAll()
        child.directory.remove()
        let outcome = child.outcome(at: now)
        children[child.id] = nil
        let completed = shared.state.withLock { $0.finish(child.id) }
        shared.onEvent(.finished(id: child.id, outcome))
        for waiter in completed { waiter.signal() }
    }

    private func earliest(_ a: ContinuousClock.Instant?, _ b: ContinuousClock.Instant) -> ContinuousClock.Instant {
        a.map { min($0, b) } ?? b
    }

    static func milliseconds(until deadline: ContinuousClock.Instant, from now: ContinuousClock.Instant) -> Int32 {
        guard deadline > now else { return 0 }
        return Int32(clamping: (deadline - now).millisecondsRoundedUp)
    }
}

@available(*, unavailable) extension SupervisorLoop: Sendable {}
