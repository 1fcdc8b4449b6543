import SweepJSON

/// What a run of a `timer`, `signal` or `workflow` task does while it waits (DESIGN §2: never claimed, no executor
/// slot). Its `exec` column holds `{"wait": kind, …}` instead of executor alternatives, so the maintenance service
/// that completes waiting runs (`WaitingService` in the scheduler) reads what to do from the run itself.
public struct WaitingTask: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case timer, signal, workflow
    }

    public var kind: Kind
    /// Seconds from entering `waiting` to the run's deadline (its `ready_at`): the timer's duration, the signal's
    /// timeout, 0 for a child workflow (its child is created at once); nil: no deadline.
    public var dueSeconds: Double?
    public var workflowID: String?
    public var version: Int?

    /// Nil for an executable task.
    public init?(_ kind: TaskKind) {
        switch kind {
        case .executable: return nil
        case .timer(let duration): self.kind = .timer; dueSeconds = duration
        case .signal(let timeout): self.kind = .signal; dueSeconds = timeout
        case .workflow(let id, let version): self.kind = .workflow; dueSeconds = 0; workflowID = id; self.version = version
        }
    }

    public init?(exec: JSONValue?) {
        guard case .object(let object)? = exec, case .string(let name)? = object["wait"], let kind = Kind(rawValue: name) else { return nil }
        self.kind = kind
        if case .string(let id)? = object["workflow_id"] { workflowID = id }
        version = object["version"]?.intValue.map(Int.init)
    }

    /// The run's `exec`.
    public var exec: JSONValue {
        var object: [String: JSONValue] = ["wait": .string(kind.rawValue)]
        if let workflowID { object["workflow_id"] = .string(workflowID) }
        if let version { object["version"] = .int(Int64(version)) }
        return .object(object)
    }
}

extension Planner {
    /// How runs of `taskID` wait; nil when they execute.
    public func waiting(taskID: String) -> WaitingTask? {
        plan.tasks[taskID].flatMap { WaitingTask($0.kind) }
    }
}

/// Run errors of the waiting task kinds.
extension TaskRunError.Code {
    /// A signal task's `timeout` passed with no signal.
    public static let signalTimeout: Self = "signal_timeout"
    /// The child launch of a `workflow` task failed or was cancelled.
    public static let childFailed: Self = "child_failed"
    /// The child launch could not be made (unknown workflow or version, an invalid definition).
    public static let childLaunchFailed: Self = "child_launch_failed"
    /// Child launches nested deeper than `ModelLimits.maxWorkflowNesting`.
    public static let workflowDepthExceeded: Self = "workflow_depth_exceeded"
}
