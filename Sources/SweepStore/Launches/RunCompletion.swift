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

    public init(runID: Int64, launchID: String, attempt: Int, outcome: Outcome, logs: String? = nil, finishedAt: Date = Date()) {
        self.runID = runID
        self.launchID = launchID
        self.attempt = attempt
        self.outcome = outcome
        self.logs = logs
        self.finishedAt = finishedAt
    }
}
