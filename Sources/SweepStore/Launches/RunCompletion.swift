import Foundation
import SweepJSON
import SweepStates

/// What an executor reported for one attempt of a run. `attempt` is the fencing token of the claim.
public struct RunCompletion: Sendable {
    public enum Outcome: Sendable {
        /// The run's final output (executor output merged with static_output).
        case succeeded(JSONValue)
        case failed(String)
    }

    public var runID: RunRowID
    public var launchID: String
    public var attempt: Int
    public var outcome: Outcome
    public var logs: String?
    /// When the executor's result arrived: the run's end, as the scheduler saw it.
    public var finishedAt: Date
    /// Which run of which task this was, when the reporter knows (the scheduler does, the rescuer does not): the
    /// chain and leaf fast paths need it.
    public var identity: Identity?
    /// False when the executable said its error must not be retried (an HTTP function's `X-Sweep-Retryable: false`,
    /// an executor's `"retryable": false`): the run fails even with retries left.
    public var retryable: Bool

    public struct Identity: Sendable {
        public var name: RunName
        public var taskID: String

        public init(name: RunName, taskID: String) {
            self.name = name
            self.taskID = taskID
        }
    }

    public init(runID: RunRowID, launchID: String, attempt: Int, outcome: Outcome, logs: String? = nil, finishedAt: Date = Date(),
                identity: Identity? = nil, retryable: Bool = true) {
        self.identity = identity
        self.retryable = retryable
        self.runID = runID
        self.launchID = launchID
        self.attempt = attempt
        self.outcome = outcome
        self.logs = logs
        self.finishedAt = finishedAt
    }
}

extension RunCompletion {
    /// How the error of a run starts when PostgreSQL (or the decoder) refused what it produced: the run fails, its
    /// launch proceeds as for any failure, and the batch it came with is recorded without it.
    public static let rejectedPrefix = "output_rejected: "

    /// This completion turned into the failure of a refused output.
    public func rejected(_ reason: String) -> RunCompletion {
        var copy = self
        copy.outcome = .failed(Self.rejectedPrefix + reason)
        copy.logs = nil
        return copy
    }

    /// A success as `jsonb_to_recordset` reads it (`TaskRunSQL.resultColumns`); nil for a failure.
    var successRecord: JSONValue? {
        guard case .succeeded(let output) = outcome else { return nil }
        return ["id": .int(runID), "attempt": .int(Int64(attempt)), "output": output, "logs": logs.map(JSONValue.string) ?? .null,
                "finished": .double(finishedAt.timeIntervalSince1970)]
    }

    /// The successes among `completions` as the JSON array `successRecord` makes, written straight into bytes (a
    /// dictionary per run, sorted and serialised, was a share of every leaf completion); nil when there is none.
    static func successRecords(_ completions: [RunCompletion]) -> JSONText? {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(completions.count * 96)
        var any = false
        for completion in completions {
            guard case .succeeded(let output) = completion.outcome else { continue }
            if any { out.append(UInt8(ascii: ",")) }
            any = true
            out.append(contentsOf: "{\"id\":".utf8)
            JSONValue.writeInt(Int64(completion.runID), to: &out)
            out.append(contentsOf: ",\"attempt\":".utf8)
            JSONValue.writeInt(Int64(completion.attempt), to: &out)
            out.append(contentsOf: ",\"output\":".utf8)
            output.write(to: &out)
            out.append(contentsOf: ",\"logs\":".utf8)
            if let logs = completion.logs { JSONValue.writeEscaped(logs, to: &out) } else { out.append(contentsOf: "null".utf8) }
            out.append(contentsOf: ",\"finished\":".utf8)
            JSONValue.double(completion.finishedAt.timeIntervalSince1970).write(to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return any ? JSONText(out) : nil
    }
}
