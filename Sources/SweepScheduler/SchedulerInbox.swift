import ProcessSupervisor
import Synchronization

/// What other threads hand the engine: process events, cancelled launches, new-work signals, stop.
final class SchedulerInbox: Sendable {
    struct Contents {
        var processEvents: [ProcessEvent] = []
        var cancelledLaunches: [String] = []
        var ready = false
        /// A waiting run became due now or a child launch ended (NOTIFY `sweep_waiting`): run `WaitingService`.
        var waiting = false
        var stopping = false
        /// Artifacts staged and output files collected off the loop's thread (`FileTransfers`).
        var fileTransfers: [FileTransfer] = []
    }

    private let contents = Mutex(Contents())

    func post(_ change: (inout Contents) -> Void) {
        contents.withLock { change(&$0) }
    }

    /// Whether `stop()` was asked for (read without taking the mail, for loops that wait on something else).
    var isStopping: Bool { contents.withLock { $0.stopping } }

    func take() -> Contents {
        contents.withLock { current in
            let taken = current
            current.processEvents.removeAll()
            current.cancelledLaunches.removeAll()
            current.fileTransfers.removeAll()
            current.ready = false
            current.waiting = false
            return taken
        }
    }
}
