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
    /// Which run of which task this was, when the reporter knows (the scheduler does, the rescuer does not): the
    /// chain and leaf fast paths need it.
    public var identity: Identity?

    public struct Identity: Sendable {
        public var name: String
        public var taskID: String

        public init(name: String, taskID: String) {
            self.name = name
            self.taskID = taskID
        }
    }

    public init(runID: Int64, launchID: String, attempt: Int, outcome: Outcome, logs: String? = nil, finishedAt: Date = Date(),
                identity: Identity? = nil) {
        self.identity = identity
        self.runID = runID
        self.launchID = launchID
        self.attempt = attempt
        self.outcome = outcome
        self.logs = logs
        self.finishedAt = finishedAt
    }
}

extension RunCompletion {
    /// A success as `jsonb_to_recordset` reads it (`successColumns`); nil for a failure.
    var successRecord: JSONValue? {
        guard case .succeeded(let output) = outcome else { return nil }
        return ["id": .int(runID), "attempt": .int(Int64(attempt)), "output": output, "logs": logs.map(JSONValue.string) ?? .null,
                "finished": .double(finishedAt.timeIntervalSince1970)]
    }

    static let successColumns = "id bigint, attempt int, output jsonb, logs text, finished float8"

    /// How a success is recorded, one text for every statement that records successes (the general path and
    /// `LeafCompletion`; `sweep_complete_and_claim` of migration 0004 does the same for one run in PL/pgSQL):
    /// CTE `done` takes the rows of a preceding CTE `results` (`successColumns`), fenced by state and attempt, and
    /// answers id, launch_id, name, successors and user_id of those accepted; CTE `logged` appends their
    /// `task.succeeded` events. Runs are found by id alone (a completion names the run its claim returned): a
    /// `launch_id = …` condition invites a scan of the launch's runs when statistics are stale, as they are for a
    /// launch just made.
    static let recordSuccesses = """
        done AS (
            UPDATE task_runs t SET state = 'succeeded', output = r.output, logs = r.logs, finished_at = to_timestamp(r.finished),
                   lease_expires_at = NULL, claimed_by = NULL, progress_token_hash = NULL
            FROM results r
            WHERE t.id = r.id AND t.state = 'running' AND t.attempt = r.attempt
            RETURNING t.id, t.launch_id, t.name, t.successors, t.user_id
        ), logged AS (
            INSERT INTO events (user_id, launch_id, run_name, type, data)
            SELECT user_id, launch_id, name, 'task.succeeded',
                   jsonb_build_object('launch_id', launch_id::text, 'run_id', name, 'state', 'succeeded', 'ts', \(EventSQL.timestamp))
            FROM done ORDER BY id
        )
        """
}
