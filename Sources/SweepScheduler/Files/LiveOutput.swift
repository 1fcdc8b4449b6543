import Synchronization

/// What local processes wrote and the run's log does not hold yet, by run id: `ProcessEvent.output` chunks wait here
/// and are appended to `run_logs` at most every `interval` (and at the process's end), so a follower reads a
/// running task's stdout and stderr within about that long, and a chatty task costs a few writes a second, not one
/// per line. Each stream keeps at most `RunLogStore.capCharacters` bytes in all; the rest is counted and dropped.
final class LiveOutput: Sendable {
    static let shared = LiveOutput()
    static let interval: Duration = .milliseconds(200)

    struct Pending: Sendable {
        var run: ClaimedRun
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var keptStdout = 0
        var keptStderr = 0
        /// Bytes were dropped past the cap (the stored stream is marked truncated).
        var droppedStdout = false
        var droppedStderr = false
    }

    private struct State {
        var runs: [Int64: Pending] = [:]
        var lastFlush = ContinuousClock.now
    }

    private let state = Mutex(State())

    func add(_ run: ClaimedRun, standardOutput: Bool, bytes: [UInt8], cap: Int) {
        state.withLock { state in
            var pending = state.runs[run.id] ?? Pending(run: run)
            if standardOutput {
                let room = max(0, cap - pending.keptStdout)
                pending.stdout += bytes.prefix(room)
                pending.keptStdout += min(room, bytes.count)
                pending.droppedStdout = pending.droppedStdout || bytes.count > room
            } else {
                let room = max(0, cap - pending.keptStderr)
                pending.stderr += bytes.prefix(room)
                pending.keptStderr += min(room, bytes.count)
                pending.droppedStderr = pending.droppedStderr || bytes.count > room
            }
            state.runs[run.id] = pending
        }
    }

    /// The runs with output to write now (all of them once `interval` passed since the last flush, or `force`), the
    /// buffers emptied; the kept counts stay for the cap.
    func take(now: ContinuousClock.Instant, force: Bool = false) -> [Pending] {
        state.withLock { state in
            guard force || now - state.lastFlush >= Self.interval else { return [] }
            state.lastFlush = now
            var due: [Pending] = []
            for (id, pending) in state.runs where !pending.stdout.isEmpty || !pending.stderr.isEmpty || pending.droppedStdout || pending.droppedStderr {
                due.append(pending)
                state.runs[id]?.stdout = []
                state.runs[id]?.stderr = []
                state.runs[id]?.droppedStdout = false  // recorded with this write (run_logs.truncated stays true)
                state.runs[id]?.droppedStderr = false
            }
            return due
        }
    }

    /// What is left of one run's output at its end; forgets the run.
    func finish(_ runID: Int64) -> Pending? {
        state.withLock { $0.runs.removeValue(forKey: runID) }
    }

    /// When the loop should wake to write what waits, nil when nothing does.
    func nextDue() -> ContinuousClock.Instant? {
        state.withLock { state in
            state.runs.values.contains { !$0.stdout.isEmpty || !$0.stderr.isEmpty || $0.droppedStdout || $0.droppedStderr }
                ? state.lastFlush + Self.interval : nil
        }
    }
}
