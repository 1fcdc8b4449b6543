import Synchronization

/// The workspaces of runs in flight in this process, by run id: a run's `.finished` event (or a cancel that
/// dropped the run first) takes its workspace back to collect and remove it.
final class TaskWorkspaces: Sendable {
    static let shared = TaskWorkspaces()

    private let byRun = Mutex([Int64: TaskWorkspace]())

    func keep(_ workspace: TaskWorkspace, runID: Int64) { byRun.withLock { $0[runID] = workspace } }

    func take(_ runID: Int64) -> TaskWorkspace? { byRun.withLock { $0.removeValue(forKey: runID) } }
}
