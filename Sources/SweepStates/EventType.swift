/// The type of a progress event (API.md's SSE `event:` field).
public enum EventType: String, Sendable, Hashable, CaseIterable {
    case launchStarted = "launch.started"
    case launchSucceeded = "launch.succeeded"
    case launchFailed = "launch.failed"
    case launchCancelled = "launch.cancelled"
    /// An ended launch was re-run (`POST /launches/{id}/rerun`); it runs again.
    case launchRerun = "launch.rerun"
    case taskScheduled = "task.scheduled"
    case taskStarted = "task.started"
    case taskSucceeded = "task.succeeded"
    case taskFailed = "task.failed"
    case taskRetrying = "task.retrying"
    case taskExpanded = "task.expanded"
    case taskProgress = "task.progress"
    /// A run of a disabled task (`enabled: false`) ended `skipped` without executing.
    case taskSkipped = "task.skipped"
    /// A timer, signal or child-workflow run began to wait (run state `waiting`, no executor slot).
    case taskWaiting = "task.waiting"

    /// The event that ends a launch in `state` (nil for a state that is not an end).
    public static func launchEnded(_ state: LaunchState) -> EventType? {
        switch state {
        case .succeeded: .launchSucceeded
        case .failed: .launchFailed
        case .cancelled: .launchCancelled
        case .waiting, .running: nil
        }
    }

    /// The state a launch ends in when this event is its last (nil for other events).
    public var endedLaunchState: LaunchState? {
        switch self {
        case .launchSucceeded: .succeeded
        case .launchFailed: .failed
        case .launchCancelled: .cancelled
        default: nil
        }
    }

    /// The type as a SQL literal (see `RunState.sql`).
    public var sql: String { "'\(rawValue)'" }
}
