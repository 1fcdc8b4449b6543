import Foundation
import Postgres
import SweepJSON
import SweepModel

/// A launch row as the progression engine needs it, loaded under the launch's row lock.
public struct LaunchRecord: Sendable {
    public let id: String
    public let userID: UserID
    public var state: String
    public let input: JSONValue?
    public let maxConcurrency: Int?
    public let maxRuntimeSeconds: Int?
    public var replicaCounts: [String: Int]
    public var openRuns: Int
    public var activeRuns: Int
    public var totalRuns: Int
    public var finishedRuns: Int
    public var failedRuns: Int

    public var isTerminal: Bool { LaunchState.terminal.contains(state) }

    /// Locks the launch row for the rest of the transaction: every change to a launch's runs and counters happens
    /// under this lock, so two schedulers never interleave on one launch.
    public static func lock(_ connection: PostgresConnection, id: String) throws -> LaunchRecord? {
        let rows = try connection.query("""
            SELECT id::text AS id, user_id, state, input, max_concurrency, max_runtime_seconds,
                   replica_counts, open_runs, active_runs, total_runs, finished_runs, failed_runs
            FROM launches WHERE id = \(id)::uuid FOR UPDATE
            """)
        guard let row = rows.first else { return nil }
        var counts: [String: Int] = [:]
        for (key, value) in try row.decode(JSONValue.self, column: "replica_counts").objectValue ?? [:] {
            counts[key] = value.intValue.map(Int.init)
        }
        return LaunchRecord(
            id: try row.decode(String.self, column: "id"),
            userID: UserID(try row.decode(Int64.self, column: "user_id")),
            state: try row.decode(String.self, column: "state"),
            input: try row.decode(JSONValue?.self, column: "input"),
            maxConcurrency: try row.decode(Int?.self, column: "max_concurrency"),
            maxRuntimeSeconds: try row.decode(Int?.self, column: "max_runtime_seconds"),
            replicaCounts: counts,
            openRuns: try row.decode(Int.self, column: "open_runs"),
            activeRuns: try row.decode(Int.self, column: "active_runs"),
            totalRuns: try row.decode(Int.self, column: "total_runs"),
            finishedRuns: try row.decode(Int.self, column: "finished_runs"),
            failedRuns: try row.decode(Int.self, column: "failed_runs"))
    }
}

/// What a launch runs: its planner (from the definition snapshot) and the executors resolved at launch. Both never
/// change for a launch, so schedulers cache them per launch id.
public struct LaunchPlan: Sendable {
    public let planner: Planner
    public let executors: JSONValue

    public init(planner: Planner, executors: JSONValue) {
        self.planner = planner
        self.executors = executors
    }

    public static func load(_ connection: PostgresConnection, launchID: String) throws -> LaunchPlan? {
        guard let row = try connection.query("SELECT definition, executors FROM launches WHERE id = \(launchID)::uuid").first else { return nil }
        let workflow = try Workflow(json: try row.decode(JSONValue.self, column: "definition"))
        return LaunchPlan(planner: try Planner(workflow: workflow), executors: try row.decode(JSONValue.self, column: "executors"))
    }
}
