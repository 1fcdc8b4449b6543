import Foundation
import SweepJSON

/// What an executor reported for one attempt of a run. `attempt` is the fencing token of the claim.
public struct RunCompletion: Sendable {
    public enum Outcome: Sendable {
        /// The run's final output (executor output merged with static_output).
        case succeeded(JSONValue)
        case failed(String)
    }

    public var runID: Int64
    public var launchID: String
    public var attempt: Int
    public var outcome: Outcome
    public var logs: String?
    /// When the executor's result arrived: the run's end, as the scheduler saw it.
    public var finishedAt: Date
    /// The run's task, when the reporter knows it (it lets the completer take its leaf fast path).
    public var taskID: String?

    public init(runID: Int64, launchID: String, attempt: Int, outcome: Outcome, logs: String? = nil, finishedAt: Date = Date(),
                taskID: String? = nil) {
        self.taskID = taskID
        self.runID = runID
        self.launchID = launchID
        self.attempt = attempt
        self.outcome = outcome
        self.logs = logs
        self.finishedAt = finishedAt
    }
}

extension RunCompletion {
    /// A success as `jsonb_to_recordset` reads it (id, attempt, output, logs, finished); nil for a failure.
    var successRecord: JSONValue? {
        guard case .succeeded(let output) = outcome else { return nil }
        return ["id": .int(runID), "attempt": .int(Int64(attempt)), "output": output, "logs": logs.map(JSONValue.string) ?? .null,
                "finished": .double(finishedAt.timeIntervalSince1970)]
    }

    /// The `task.succeeded` event's data, from a row with the run's launch_id and name.
    static let succeededEventData = """
        jsonb_build_object('launch_id', launch_id::text, 'run_id', name, 'state', 'succeeded', 'ts', \(EventSQL.timestamp))
        """
}
