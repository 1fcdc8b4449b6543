import Foundation
import Postgres
import SweepJSON
import SweepModel
import SweepStates

/// Signals to `signal` tasks (API.md v1.1 "Launch operations"): kept in `launch_signals` from the moment they are
/// sent, keyed by user, launch and task, so a signal sent before its task is reached is taken when the run enters
/// `waiting` (`TaskRunSQL.enterWaiting` makes such a run due at once). A signal for a run that waits now completes
/// it here, through the path every result takes (`LaunchProgression.completeWaiting`).
public struct SignalStore {
    public enum SendResult: Equatable {
        /// Stored; `state` is the task's run state afterwards (`succeeded` when it was waiting, else as it was).
        case accepted(state: String)
        case launchNotFound
        case taskNotFound
        case notASignalTask
        case alreadySignalled
        case ended(String)
    }

    let tx: TenantTransaction

    public init(_ tx: TenantTransaction) {
        self.tx = tx
    }

    /// Sends `payload` to task `taskID` of launch `launchID`. Takes the launch's lock first, so a run entering
    /// `waiting` at the same moment (under that lock) either sees the stored signal or is completed here.
    public func send(launchID: String, taskID: String, payload: JSONValue) throws -> SendResult {
        guard UUIDText.isValid(launchID), let launch = try LaunchRecord.lock(tx.connection, id: launchID), launch.userID == tx.userID,
              let plan = try LaunchPlan.load(tx.connection, launchID: launchID) else { return .launchNotFound }
        guard let task = plan.planner.workflow.tasks.first(where: { $0.id == taskID }) else { return .taskNotFound }
        guard case .signal = task.kind else { return .notASignalTask }
        if launch.isTerminal { return .ended("the launch already ended (\(launch.state.rawValue))") }
        let states = try tx.connection.query("""
            SELECT state FROM task_runs WHERE user_id = \(tx.userID) AND launch_id = \(launchID)::uuid AND task_id = \(taskID)
              AND kind = \(unsafeSQL: RunKind.task.sql)
            """).map { try $0.decode(String.self, column: "state") }
        if !states.isEmpty, states.allSatisfy({ RunState(rawValue: $0)?.isFinished == true }) {
            return .ended("task \(taskID) already ended (\(states[0]))")
        }
        let stored = try tx.connection.execute("""
            INSERT INTO launch_signals (user_id, launch_id, task_id, payload) VALUES (\(tx.userID), \(launchID)::uuid, \(taskID), \(payload)::jsonb)
            ON CONFLICT DO NOTHING
            """)
        guard stored > 0 else { return .alreadySignalled }
        let waiting = try tx.connection.query("""
            SELECT id, attempt FROM task_runs
            WHERE user_id = \(tx.userID) AND launch_id = \(launchID)::uuid AND task_id = \(taskID) AND state = \(unsafeSQL: RunState.waiting.sql)
            ORDER BY id FOR UPDATE
            """)
        guard !waiting.isEmpty else { return .accepted(state: states.first ?? RunState.pending.rawValue) }
        let progression = LaunchProgression(connection: tx.connection, launch: launch, plan: plan)
        for row in waiting {
            try progression.completeWaiting(run: try row.decode(Int64.self, column: "id"), attempt: try row.decode(Int.self, column: "attempt"),
                                            outcome: .succeeded(payload))
        }
        try progression.flush()
        return .accepted(state: RunState.succeeded.rawValue)
    }

    /// The stored signal of task `taskID` (JSON null when sent without a payload); nil when none was sent.
    public static func payload(_ connection: PostgresConnection, userID: UserID, launchID: String, taskID: String) throws -> JSONValue? {
        try connection.query("""
            SELECT payload FROM launch_signals WHERE user_id = \(userID) AND launch_id = \(launchID)::uuid AND task_id = \(taskID)
            """).first.map { try $0.decode(JSONValue?.self, column: "payload") ?? .null }
    }
}
