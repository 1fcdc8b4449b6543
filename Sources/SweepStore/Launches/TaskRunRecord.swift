import Foundation
import Postgres
import SweepJSON

/// A task run as the API shows it.
public struct TaskRunRecord: Sendable {
    /// Read from `task_runs` (unaliased); the input through `RunInputSQL.input`.
    static let columns = """
        name, task_id, kind, state, attempt, \(RunInputSQL.input("task_runs")) AS input, output, error, predecessors, successors, created_at,
        started_at, finished_at, ready_at
        """
    public let name: String
    public let taskID: String
    public let kind: String
    public let state: String
    public let attempt: Int
    public let input: JSONValue?
    public let output: JSONValue?
    public let error: String?
    public let predecessors: [String]
    public let successors: [String]
    public let createdAt: Date
    public let startedAt: Date?
    public let finishedAt: Date?
    /// When the run is (or was) due to start: after its delay, or a retry's back-off (API.md: "returns to
    /// `scheduled` with `ready_at`"); a waiting run's deadline; null while it waits for predecessors.
    public let readyAt: Date?

    init(_ row: PostgresRow) throws {
        name = try row.decode(String.self, column: "name")
        taskID = try row.decode(String.self, column: "task_id")
        kind = try row.decode(String.self, column: "kind")
        state = try row.decode(String.self, column: "state")
        attempt = try row.decode(Int.self, column: "attempt")
        input = try row.decode(JSONValue?.self, column: "input")
        output = try row.decode(JSONValue?.self, column: "output")
        error = try row.decode(String?.self, column: "error")
        predecessors = try row.decode([String].self, column: "predecessors")
        successors = try row.decode([String].self, column: "successors")
        createdAt = try row.decode(Date.self, column: "created_at")
        startedAt = try row.decode(Date?.self, column: "started_at")
        finishedAt = try row.decode(Date?.self, column: "finished_at")
        readyAt = try row.decode(Date?.self, column: "ready_at")
    }
}
