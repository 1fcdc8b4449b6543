import Foundation
import Postgres
import SweepJSON
import SweepModel
import SweepStates

/// A launch row as the progression engine needs it, loaded under the launch's row lock.
public struct LaunchRecord: Sendable {
    public let id: String
    public let userID: UserID
    public let maxConcurrency: Int?
    public let maxRuntimeSeconds: Int?
    public var replicaCounts: [String: Int]
    /// State and counters, moved only by the ledger's transitions and written back by `LaunchProgression.flush`.
    public var ledger: LaunchLedger

    public var state: LaunchState { ledger.state }
    public var isTerminal: Bool { ledger.isTerminal }

    /// What a record reads of the launch row (one list for `lock`, `lockUnlessLocked` and `read`).
    static let columns = """
        id::text AS id, user_id, state, max_concurrency, max_runtime_seconds,
        replica_counts, open_runs, active_runs, total_runs, finished_runs, failed_runs
        """

    /// Locks the launch row for the rest of the transaction: every change to a launch's runs and counters happens
    /// under this lock, so two schedulers never interleave on one launch. NO KEY UPDATE: foreign-key checks of
    /// rows that reference the launch (events appended by another scheduler's claim) need not wait for it. The
    /// input is not read here: it never changes, and a scatter's input can be megabytes (`LaunchPlan` holds it).
    public static func lock(_ connection: PostgresConnection, id: String) throws -> LaunchRecord? {
        try connection.query("""
            SELECT \(unsafeSQL: columns) FROM launches WHERE id = \(id)::uuid FOR NO KEY UPDATE
            """).first.map(record)
    }

    /// `lock` unless another transaction holds the launch's row: then nil at once (SKIP LOCKED), never a wait. For a
    /// transaction that already holds rows a claim locked (`SchedulerEngine.step`): waiting for the launch there
    /// closes a cycle with the launch's completer, which may wait for one of those rows (a claim's FOR UPDATE also
    /// keeps a lock on a row another scheduler claimed since its snapshot, though it does not take that row).
    public static func lockUnlessLocked(_ connection: PostgresConnection, id: String) throws -> LaunchRecord? {
        try connection.query("""
            SELECT \(unsafeSQL: columns) FROM launches WHERE id = \(id)::uuid FOR NO KEY UPDATE SKIP LOCKED
            """).first.map(record)
    }

    /// The launch row as it is now, without a lock: for a transition that writes the launch row only by relative
    /// updates under a lock taken last (`LaunchProgression.continueExpansionUnlocked`); its ledger is never written
    /// back.
    public static func read(_ connection: PostgresConnection, id: String) throws -> LaunchRecord? {
        try connection.query("""
            SELECT \(unsafeSQL: columns) FROM launches WHERE id = \(id)::uuid
            """).first.map(record)
    }

    private static func record(_ row: PostgresRow) throws -> LaunchRecord {
        let id = try row.decode(String.self, column: "id")
        var counts: [String: Int] = [:]
        for (key, value) in try row.decode(JSONValue.self, column: "replica_counts").objectValue ?? [:] {
            counts[key] = value.intValue.map(Int.init)
        }
        guard let state = LaunchState(rawValue: try row.decode(String.self, column: "state")) else {
            throw LaunchStoreError("launch \(id) has an unknown state")
        }
        return LaunchRecord(
            id: try row.decode(String.self, column: "id"),
            userID: UserID(try row.decode(Int64.self, column: "user_id")),
            maxConcurrency: try row.decode(Int?.self, column: "max_concurrency"),
            maxRuntimeSeconds: try row.decode(Int?.self, column: "max_runtime_seconds"),
            replicaCounts: counts,
            ledger: LaunchLedger(
                state: state,
                openRuns: try row.decode(Int.self, column: "open_runs"),
                activeRuns: try row.decode(Int.self, column: "active_runs"),
                totalRuns: try row.decode(Int.self, column: "total_runs"),
                finishedRuns: try row.decode(Int.self, column: "finished_runs"),
                failedRuns: try row.decode(Int.self, column: "failed_runs")))
    }
}

/// What a launch runs: its planner (from the definition snapshot), the executors resolved at launch, and its input.
/// None of them ever changes for a launch, so schedulers cache them per launch id.
public struct LaunchPlan: Sendable {
    public let planner: Planner
    public let executors: JSONValue
    public let input: JSONValue?

    public init(planner: Planner, executors: JSONValue, input: JSONValue?) {
        self.planner = planner
        self.executors = executors
        self.input = input
    }

    public static func load(_ connection: PostgresConnection, launchID: String) throws -> LaunchPlan? {
        guard let row = try connection.query("SELECT definition, executors, input, max_runs FROM launches WHERE id = \(launchID)::uuid").first else { return nil }
        let workflow = try Workflow(json: try row.decode(JSONValue.self, column: "definition"))
        var planner = try Planner(workflow: workflow)
        // The user's replicas-per-launch limit when the launch was made (migration 0006); NULL is the default.
        if let maxRuns = try row.decode(Int?.self, column: "max_runs") { planner.budget = RunBudget(maxRuns: maxRuns) }
        return LaunchPlan(planner: planner, executors: try row.decode(JSONValue.self, column: "executors"),
                          input: try row.decode(JSONValue?.self, column: "input"))
    }

    /// What a run executes (the `exec` column): the task's executor alternatives, resolved at launch, and the
    /// run's own command, environment and `max_runtime`.
    public func execPlan(_ taskID: String, _ runInput: RunInput) -> JSONValue {
        var plan: [String: JSONValue] = ["alternatives": executors[taskID] ?? .array([])]
        if let environment = runInput.environment { plan["environment"] = .array(environment.map(\.json)) }
        if let command = runInput.command { plan["command"] = .array(command.map(JSONValue.string)) }
        if let seconds = runInput.runtimeSeconds { plan["runtime_seconds"] = .int(Int64(seconds)) }
        // Read by the wait-time enforcer's index (migration 0014), only for tasks that set max_wait_time.
        if let seconds = planner.maxWaitTime(taskID: taskID) { plan["max_wait_seconds"] = .double(seconds) }
        if let files = runInput.files { plan["files"] = files.json }
        return .object(plan)
    }
}
