import Foundation
import ProcessSupervisor

/// Blob-store work of runs (staging artifacts in, collecting output files out), done off the scheduler loops'
/// threads, at most `concurrency` at once per process: a large artifact must not stall a loop's other runs. Each
/// job posts its result to its loop's inbox (`FileTransfer`) and wakes it.
final class FileTransfers: @unchecked Sendable {  // OperationQueue is thread-safe; the class holds nothing else
    static let shared = FileTransfers()
    static let concurrency = 4

    private let queue: OperationQueue = {
        let queue = OperationQueue()
        queue.name = "sweep.file-transfers"
        queue.maxConcurrentOperationCount = FileTransfers.concurrency
        return queue
    }()

    func run(_ work: @escaping @Sendable () -> Void) {
        queue.addOperation(work)
    }
}

/// A finished transfer, handed back to the loop that started it.
enum FileTransfer: Sendable {
    /// The artifacts are in (or `error` says why not): start the process.
    case staged(run: ClaimedRun, alternative: Int, isFunction: Bool, spec: ProcessSpec, workspace: TaskWorkspace, error: String?)
    /// The output files are stored (`problems`: those that were not): record the run's end.
    case collected(runID: Int64, attempt: Int, outcome: ProcessOutcome, unwritten: LiveOutput.Pending?, problems: [String])
}
