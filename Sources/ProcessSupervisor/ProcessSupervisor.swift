import Dispatch
import Foundation
import Glibc
import Synchronization

/// Runs local processes for the scheduler: spawns them, feeds stdin, captures capped output, reports progress, and
/// kills whole process groups at a timeout, a cancel, or shutdown. One dedicated thread (not the cooperative pool)
/// does all the waiting, in a single poll(2) loop.
public final class ProcessSupervisor: Sendable {
    private let shared: SupervisorShared
    private let launcher: ProcessLauncher

    /// - Parameters:
    ///   - temporaryDirectory: where fresh working directories are made; default `$TMPDIR`, else `/tmp`.
    ///   - terminationGrace: between SIGTERM and SIGKILL on `cancel`; timeouts SIGKILL at once.
    ///   - onEvent: called on the supervisor's own thread; it must return quickly and must not call `cancelAll`.
    public init(
        temporaryDirectory: String? = nil, terminationGrace: Duration = .milliseconds(200),
        onEvent: @escaping @Sendable (ProcessEvent) -> Void
    ) {
        let base = temporaryDirectory ?? ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        launcher = ProcessLauncher(baseDirectory: base, prlimitPath: ProcessLauncher.findPrlimit(), nicePath: ProcessLauncher.findNice())
        shared = SupervisorShared(terminationGrace: terminationGrace, onEvent: onEvent)
        let shared = self.shared
        let thread = Thread {
            shared.state.withLock { $0.loopThread = pthread_self() }
            SupervisorLoop(shared: shared).run()
        }
        thread.name = "ProcessSupervisor"
        thread.start()
    }

    /// Dropping the supervisor kills every child (SIGKILL, no grace) and ends its thread, without waiting.
    deinit {
        shared.state.withLock { $0.stopping = true }
        shared.wake.wake()
    }

    /// Spawns the process and returns at once; its end arrives as `.finished(id:)`. Throws only when nothing was
    /// started (bad spec, id already running, program not found, spawn failure).
    public func start(_ spec: ProcessSpec, id: String) throws(ProcessSupervisorError) {
        let reserved = shared.state.withLock { $0.reserve(id) }
        guard reserved else { throw ProcessSupervisorError(.duplicateID, "\(id) is already running") }
        let child: ChildProcess
        do {
            child = try launcher.launch(spec, id: id)
        } catch {
            shared.state.withLock { $0.release(id) }
            throw error
        }
        let handoff = SupervisorState.Handoff(child: child)
        shared.state.withLock { $0.handOver(handoff) }
        shared.wake.wake()
    }

    /// SIGTERM to the whole process group, SIGKILL after the grace. Unknown or finished ids are ignored.
    public func cancel(id: String) {
        shared.state.withLock { $0.cancel(id) }
        shared.wake.wake()
    }

    /// Cancels everything running and returns once each of those processes has finished (its `.finished` delivered).
    public func cancelAll() {
        let done = DispatchSemaphore(value: 0)
        let waiting = shared.state.withLock { state -> Bool in
            if let loop = state.loopThread {
                precondition(pthread_equal(loop, pthread_self()) == 0, "cancelAll called from an onEvent handler")
            }
            state.cancelAllRequested = true
            // Those still spawning on other threads are cancelled as they are handed over.
            state.cancelledWhileSpawning.formUnion(state.spawning)
            guard !state.running.isEmpty else { return false }
            state.waiters.append(SupervisorState.Waiter(remaining: state.running, done: done))
            return true
        }
        shared.wake.wake()
        if waiting { done.wait() }
    }

    /// Processes started and not yet finished.
    public var runningCount: Int { shared.state.withLock { $0.running.count } }
}

/// What the public object and the supervisor thread share; the thread keeps it alive until it ends.
final class SupervisorShared: Sendable {
    let state = Mutex(SupervisorState())
    let wake = WakeSignal()
    let terminationGrace: Duration
    let onEvent: @Sendable (ProcessEvent) -> Void

    init(terminationGrace: Duration, onEvent: @escaping @Sendable (ProcessEvent) -> Void) {
        self.terminationGrace = terminationGrace
        self.onEvent = onEvent
    }
}
