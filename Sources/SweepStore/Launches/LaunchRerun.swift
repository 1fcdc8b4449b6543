import Foundation
import Postgres
import SweepJSON
import SweepModel
import SweepStates

/// Re-runs an ended launch (API.md "Launch operations"): the runs that failed, were upstream_failed or cancelled,
/// or every run of named tasks, and everything downstream of them, run again; succeeded runs outside that scope
/// keep their outputs and attempts. What a re-opened scatter gate created (replicas, their followers, gatherers)
/// is deleted and planned again from the gate's new input, since a re-run predecessor may answer a list of a
/// different length. One transaction under the launch's row lock, with `TaskRunSQL`'s and `LaunchSQL`'s
/// statements; the launch's counters are recounted once (`LaunchSQL.recount`) and written by the progression.
public struct LaunchRerun {
    public enum Scope: Sendable, Equatable {
        /// `{"from": "failed"}`
        case failed
        /// `{"tasks": [...]}`: task ids of the workflow.
        case tasks([String])

        var json: JSONValue {
            switch self {
            case .failed: .object(["from": .string("failed")])
            case .tasks(let ids): .object(["tasks": .array(ids.map(JSONValue.string))])
            }
        }
    }

    public enum Outcome: Sendable, Equatable {
        /// Re-opened `runs` runs (and deleted `replanned` to plan them again).
        case rerun(runs: Int, replanned: Int)
        case notFound
        /// The launch has not ended (`state`).
        case notEnded(state: String)
        /// Nothing in scope: `from: failed` on a launch where nothing failed, or named tasks that have no runs.
        case nothingToRerun
        /// `tasks[index]` is not a task of the launch's workflow.
        case unknownTask(index: Int, id: String)
    }

    /// Run names listed in a `launch.rerun` event at most (each list); the counts are always whole. A re-run of a
    /// 100,000-replica scatter would otherwise write one event of megabytes, sent to every stream of the user.
    public static let eventNamesLimit = 1_000

    let tx: TenantTransaction
    /// The time the statements take as now; nil: the database's.
    let now: Date?

    public init(_ tx: TenantTransaction, now: Date? = nil) {
        self.tx = tx
        self.now = now
    }

    public func rerun(launchID: String, _ scope: Scope) throws -> Outcome {
        guard UUIDText.isValid(launchID), var launch = try LaunchRecord.lock(tx.connection, id: launchID), launch.userID == tx.userID,
              let plan = try LaunchPlan.load(tx.connection, launchID: launchID) else { return .notFound }
        guard launch.isTerminal else { return .notEnded(state: launch.state.rawValue) }
        var tasks: [String] = []
        if case .tasks(let ids) = scope {
            let known = Set(plan.planner.workflow.tasks.map(\.id))
            if let index = ids.firstIndex(where: { !known.contains($0) }) { return .unknownTask(index: index, id: ids[index]) }
            tasks = ids
        }
        let inScope = try tx.connection.query(bind(TaskRunSQL.rerunScope, launchID, [
            "from_failed": (scope == .failed).postgresBind, "tasks": tasks.postgresBind,
        ])).map { row in
            (name: try row.decode(String.self, column: "name"), kind: RunKind(rawValue: try row.decode(String.self, column: "kind")) ?? .task)
        }
        guard !inScope.isEmpty else { return .nothingToRerun }

        // The gates in scope decide their counts again: the runs their expansions made are those that no longer
        // exist once their counts are forgotten.
        var counts = launch.replicaCounts
        for run in inScope where run.kind == .scatter { counts[run.name] = nil }
        let kept = Set(plan.planner.existingRuns(in: ReplicaCounts(counts)).map(\.name))
        let reopened = inScope.map(\.name).filter { kept.contains($0) }
        let replanned = inScope.map(\.name).filter { !kept.contains($0) }

        guard !(try tx.connection.query(bind(LaunchSQL.reopen, launchID, [
            "asked": scope.json.postgresBind,
            "runs": JSONValue.array(reopened.prefix(Self.eventNamesLimit).map(JSONValue.string)).postgresBind,
            "replanned": JSONValue.array(replanned.prefix(Self.eventNamesLimit).map(JSONValue.string)).postgresBind,
            "run_count": reopened.count.postgresBind, "replanned_count": replanned.count.postgresBind,
        ])).isEmpty) else { return .notEnded(state: launch.state.rawValue) }
        if !replanned.isEmpty {
            _ = try tx.connection.query(bind(TaskRunSQL.deleteReplanned, launchID, ["names": replanned.postgresBind]))
        }
        var ready: [String] = []
        for row in try tx.connection.query(bind(TaskRunSQL.reopenRuns, launchID, ["names": reopened.postgresBind]))
        where try row.decode(Int.self, column: "waiting_on") == 0 {
            ready.append(try row.decode(String.self, column: "name"))
        }
        let doomed = try tx.connection.query(bind(TaskRunSQL.doomedRuns, launchID, ["names": reopened.postgresBind]))
            .map { try $0.decode(String.self, column: "name") }
        let row = try tx.connection.query(bind(LaunchSQL.recount, launchID))[0]
        launch.replicaCounts = counts
        let ledger = LaunchLedger(
            state: .running,
            openRuns: try row.decode(Int.self, column: "open_runs"), activeRuns: try row.decode(Int.self, column: "active_runs"),
            totalRuns: try row.decode(Int.self, column: "total_runs"), finishedRuns: try row.decode(Int.self, column: "finished_runs"),
            failedRuns: try row.decode(Int.self, column: "failed_runs"))
        let progression = LaunchProgression(connection: tx.connection, launch: launch, plan: plan, now: now)
        try progression.reopen(ledger: ledger, replicaCounts: counts, doomed: doomed, ready: ready)
        try progression.flush()
        return .rerun(runs: reopened.count, replanned: replanned.count)
    }

    /// Binds a statement with this launch and the clock, plus `values`.
    private func bind(_ template: SQLTemplate, _ launchID: String, _ values: [String: PostgresBind] = [:]) -> PostgresQuery {
        var all = values
        let inputs = template.inputs
        if inputs.contains("launch") { all["launch"] = launchID.postgresBind }
        if inputs.contains("now") { all["now"] = now.postgresBind }
        return template.query(all)
    }
}
