import SweepJSON
import SweepStates

/// A launch's books: its state, its run counters and the events its transitions owe, moved only by the named
/// transitions below. Pure: the store loads it from the launch row, applies the transitions its statements made
/// (`LaunchProgression`), and writes it back once (`LaunchSQL.flush`); `LaunchSimulation` drives the same ledger
/// in memory. The counters mean:
/// - `openRuns`: runs (and scatter gates) pending, scheduled or running; 0 means the launch is over.
/// - `activeRuns`: runs claimable or running, what `max_task_concurrency` limits.
/// - `totalRuns`, `finishedRuns`, `failedRuns`: task runs (not gates), for progress.
public struct LaunchLedger: Sendable, Hashable {
    public private(set) var state: LaunchState
    public private(set) var openRuns: Int
    public private(set) var activeRuns: Int
    public private(set) var totalRuns: Int
    public private(set) var finishedRuns: Int
    public private(set) var failedRuns: Int
    /// Events drafted by transitions and not yet written (`takeEvents()`).
    public private(set) var events: [EventDraft] = []

    public init(state: LaunchState = .waiting, openRuns: Int = 0, activeRuns: Int = 0, totalRuns: Int = 0,
                finishedRuns: Int = 0, failedRuns: Int = 0) {
        self.state = state
        self.openRuns = openRuns
        self.activeRuns = activeRuns
        self.totalRuns = totalRuns
        self.finishedRuns = finishedRuns
        self.failedRuns = failedRuns
    }

    public var isTerminal: Bool { state.isTerminal }

    /// Whether `admit` may make one more run claimable under `limit` (max_task_concurrency; nil: no limit).
    public func hasRoom(under limit: Int?) -> Bool { limit.map { activeRuns < $0 } ?? true }

    // MARK: - Transitions

    /// Runs were created (pending or scheduled): `tasks` task runs and `gates` scatter gates.
    public mutating func inserted(tasks: Int, gates: Int = 0) {
        openRuns += tasks + gates
        totalRuns += tasks
    }

    /// `count` runs became claimable (scheduled and not held back, or released from being held back).
    public mutating func admitted(_ count: Int = 1) {
        activeRuns += count
    }

    /// The launch's first run was claimed: waiting -> running (its `launch.started` event is appended by the claim).
    public mutating func started() {
        if state == .waiting { state = .running }
    }

    /// `count` running runs succeeded. Their `task.succeeded` events are appended by the statement that records
    /// them (`TaskRunSQL.recordSuccesses`), so none is drafted here.
    public mutating func succeeded(_ count: Int) {
        openRuns -= count
        activeRuns -= count
        finishedRuns += count
    }

    /// A running run failed (its executor's error, a lost lease, a refused output).
    public mutating func failed(run: String, message: String) {
        openRuns -= 1
        activeRuns -= 1
        finishedRuns += 1
        failedRuns += 1
        events.append(EventDraft(type: .taskFailed, runName: run, data: ["state": .string(RunState.failed.rawValue), "error": .string(message)]))
    }

    /// A pending run (or gate) failed before executing: a false deploy condition, a scatter that is not a list, an
    /// expression error.
    public mutating func failedBeforeRunning(run: String, kind: RunKind, message: String) {
        openRuns -= 1
        failedRuns += 1
        if kind == .task { finishedRuns += 1 }
        events.append(EventDraft(type: .taskFailed, runName: run, data: ["state": .string(RunState.failed.rawValue), "error": .string(message)]))
    }

    /// A pending or scheduled run will never execute because something upstream failed. `wasActive`: it was
    /// claimable (scheduled and not held back).
    public mutating func upstreamFailed(run: String, kind: RunKind, wasActive: Bool) {
        openRuns -= 1
        if wasActive { activeRuns -= 1 }
        guard kind == .task else { return }
        finishedRuns += 1
        events.append(EventDraft(type: .taskFailed, runName: run, data: ["state": .string(RunState.upstreamFailed.rawValue)]))
    }

    /// A pending run of a disabled task ended `skipped` without executing (its `task.skipped` event is appended by
    /// the statement): it finished, and counts for its successors as a success.
    public mutating func skipped() {
        openRuns -= 1
        finishedRuns += 1
    }

    /// A scheduled run nothing started within its max wait failed (`wait_timeout`). `wasActive`: it was claimable
    /// (not held back by max_task_concurrency).
    public mutating func failedUnstarted(run: String, wasActive: Bool, message: String) {
        openRuns -= 1
        if wasActive { activeRuns -= 1 }
        finishedRuns += 1
        failedRuns += 1
        events.append(EventDraft(type: .taskFailed, runName: run, data: ["state": .string(RunState.failed.rawValue), "error": .string(message)]))
    }

    /// A scatter gate decided its replica count and closed (the replicas are `inserted` separately).
    public mutating func expanded(gate: String, taskID: String, replicas: Int) {
        openRuns -= 1
        events.append(EventDraft(type: .taskExpanded, runName: gate, data: ["task_id": .string(taskID), "replicas": .int(Int64(replicas))]))
    }

    /// The launch was cancelled and `runs` (every run not finished) with it. False, and nothing changes, when it
    /// had already ended.
    @discardableResult
    public mutating func cancelled(runs: [(name: String, kind: RunKind)]) -> Bool {
        guard !isTerminal else { return false }
        for run in runs where run.kind == .task {
            finishedRuns += 1
            events.append(EventDraft(type: .taskFailed, runName: run.name, data: ["state": .string(RunState.cancelled.rawValue)]))
        }
        openRuns = 0
        activeRuns = 0
        state = .cancelled
        events.append(EventDraft(type: .launchCancelled, data: ["state": .string(LaunchState.cancelled.rawValue)]))
        return true
    }

    /// Ends the launch when nothing can run any more: succeeded, or failed when any run failed. True when it ended
    /// now; false when runs are still open or it had ended before.
    public mutating func ended() -> Bool {
        guard openRuns == 0, !isTerminal else { return false }
        state = failedRuns > 0 ? .failed : .succeeded
        if let type = EventType.launchEnded(state) {
            events.append(EventDraft(type: type, data: ["state": .string(state.rawValue)]))
        }
        return true
    }

    /// A claimed run of a waiting kind (timer, signal, workflow) went back to waiting: it holds no slot.
    public mutating func parked() {
        activeRuns -= 1
    }

    /// The workflow's `output` expression failed as the launch was succeeding: it fails instead, with `message`
    /// in its `launch.failed` event.
    public mutating func outputFailed(message: String) {
        guard state == .succeeded else { return }
        state = .failed
        events.removeAll { $0.type == .launchSucceeded }
        events.append(EventDraft(type: .launchFailed, data: ["state": .string(LaunchState.failed.rawValue), "error": .string(message)]))
    }

    /// The drafted events, oldest first; the ledger forgets them (they are being written).
    public mutating func takeEvents() -> [EventDraft] {
        defer { events.removeAll() }
        return events
    }
}
