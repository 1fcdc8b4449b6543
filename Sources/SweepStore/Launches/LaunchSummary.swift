import Foundation
import Postgres
import SweepJSON
import SweepStates

/// A launch's row as lists, checks and the status read it. Without the launch's input (no reader needs it; the status
/// splices it from its own column), and with the output as PostgreSQL wrote it, parsed only when read: `GET /launches`
/// polled four times a second parsed a 100,000-element input on every poll for each listed launch, and `/runs` parsed
/// its launch's on every page (the summary only proved the launch exists).
public struct LaunchSummary: Sendable {
    static let columns = columnsWithoutOutput + ", output"
    /// For a reader that takes the output's text another way (the status, `LaunchStatusQuery.head`): `outputJSON`
    /// is then nil.
    static let columnsWithoutOutput = """
        id::text AS id, workflow_id, version, state, created_at, started_at, finished_at, total_runs, finished_runs, failed_runs,
        parent_launch_id::text AS parent_launch_id, (SELECT r.name FROM task_runs r WHERE r.id = parent_run_id) AS parent_run_name,
        is_interceptor
        """
    public let id: String
    public let workflowID: String
    public let version: Int
    public let state: String
    /// The output's JSON text; `output` parses it.
    let outputJSON: [UInt8]?
    public let createdAt: Date
    public let startedAt: Date?
    public let finishedAt: Date?
    public let totalRuns: Int
    public let finishedRuns: Int
    public let failedRuns: Int
    /// The launch whose `workflow` task started this one, and that task's run name (nil for a top launch).
    public let parentLaunchID: String?
    public let parentRunName: String?
    /// A backend workflow's interceptor run for one call (migration 0021), not a launch the user made.
    public let isInterceptor: Bool

    init(_ row: PostgresRow) throws {
        id = try row.decode(String.self, column: "id")
        workflowID = try row.decode(String.self, column: "workflow_id")
        version = try row.decode(Int.self, column: "version")
        state = try row.decode(String.self, column: "state")
        outputJSON = row.bytes(column: "output")
        createdAt = try row.decode(Date.self, column: "created_at")
        startedAt = try row.decode(Date?.self, column: "started_at")
        finishedAt = try row.decode(Date?.self, column: "finished_at")
        totalRuns = try row.decode(Int.self, column: "total_runs")
        finishedRuns = try row.decode(Int.self, column: "finished_runs")
        failedRuns = try row.decode(Int.self, column: "failed_runs")
        parentLaunchID = try row.decode(String?.self, column: "parent_launch_id")
        parentRunName = try row.decode(String?.self, column: "parent_run_name")
        isInterceptor = try row.decode(Bool.self, column: "is_interceptor")
    }

    /// The launch's output (nil until it ends with one).
    public var output: JSONValue? { outputJSON.flatMap { try? JSONParser.parse($0) } }

    public var isTerminal: Bool { LaunchState.isTerminal(state) }

    /// A cursor for lists ordered newest first.
    public var cursor: String { "\(createdAt.timeIntervalSince1970)|\(id)" }
}
