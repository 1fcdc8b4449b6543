import Foundation
import Postgres
import SweepJSON
import SweepModel
import SweepStates

/// The child launch of a `workflow` task's run, made by the launch-creation code every launch takes
/// (`LaunchStore.create`), for the parent's user, with the run's input as launch input. Durable and made once: the
/// idempotency key names the parent run and its attempt, so a scheduler that dies between "run waiting" and
/// "child made" leaves the run due, and whoever completes it next finds the child that may already exist.
public enum ChildLaunch {
    public enum Outcome {
        /// The child exists (now or from an earlier try); the parent run waits for its end.
        case started(childID: String)
        /// The child cannot be made: the parent run fails with this error.
        case refused(TaskRunError)
        /// The user has `max_launches_in_flight` launches waiting or running: nothing was made, the parent run
        /// keeps waiting and its child is tried again later (a child launch waits for a place, never fails for it).
        case atLimit
    }

    static func idempotencyKey(run: Int64, attempt: Int) -> String { "sweep-child:\(run):\(attempt)" }

    /// Makes (or finds) the child of run `run` (row id) at `attempt` of launch `parentID`, in the caller's
    /// transaction, which holds the parent launch's lock. A new child takes a place of the user's
    /// `max_launches_in_flight` (its `user_limits` row, else `defaultMaxLaunchesInFlight`) under the same
    /// per-user admission lock as the API's launch creation, so the two together never pass it.
    public static func start(_ connection: PostgresConnection, userID: UserID, parentID: String, run: Int64, attempt: Int,
                             waiting: WaitingTask, input: JSONValue?,
                             defaultMaxLaunchesInFlight: Int = LimitDefaults.defaultMaxLaunchesInFlight) throws -> Outcome {
        guard let workflowID = waiting.workflowID else {
            return .refused(TaskRunError(code: .childLaunchFailed, message: "the workflow task names no workflow_id"))
        }
        let depth = try connection.query("SELECT nesting_depth FROM launches WHERE id = \(parentID)::uuid")
            .first.map { try $0.decode(Int.self, column: "nesting_depth") } ?? 0
        guard depth + 1 <= ModelLimits.maxWorkflowNesting else {
            return .refused(TaskRunError(code: .workflowDepthExceeded,
                message: "launching workflow \(workflowID) would nest child launches \(depth + 1) deep, more than the limit of \(ModelLimits.maxWorkflowNesting)"))
        }
        let key = idempotencyKey(run: run, attempt: attempt)
        let store = LaunchStore(TenantTransaction(connection: connection, userID: userID))
        let made = try store.launchID(workflowID: workflowID, idempotencyKey: key) != nil
        if !made {
            try UserLimitStore.lockLaunchAdmission(connection, userID: userID)
            let limit = try UserLimitStore.find(connection, userID: userID).maxLaunchesInFlight ?? defaultMaxLaunchesInFlight
            if try UserLimitStore.launchesInFlight(connection, userID: userID) >= limit { return .atLimit }
        }
        let result: LaunchStore.CreateResult
        do {
            result = try store.create(
                workflowID: workflowID, version: waiting.version, input: input, idempotencyKey: key)
        } catch let error as ValidationError {
            return .refused(TaskRunError(code: .childLaunchFailed, message: "workflow \(workflowID) could not be launched: \(error.message)"))
        }
        switch result {
        case .workflowNotFound:
            return .refused(TaskRunError(code: .childLaunchFailed, message: "workflow \(workflowID) is not registered"))
        case .versionNotFound(let latest):
            return .refused(TaskRunError(code: .childLaunchFailed,
                message: "workflow \(workflowID) has no version \(waiting.version ?? 0) (its latest is \(latest))"))
        case .created(let id), .existing(let id):
            try connection.execute(LaunchSQL.adoptChild.query([
                "launch": id.postgresBind, "parent": parentID.postgresBind, "run": run.postgresBind, "depth": (depth + 1).postgresBind,
            ]))
            return .started(childID: id)
        }
    }

    /// What the parent run becomes when its child ended in `state`: the child's output, or a failure.
    public static func outcome(childID: String, state: LaunchState, output: JSONValue?, error: String?) -> RunCompletion.Outcome {
        switch state {
        case .succeeded:
            return .succeeded(output ?? .object([:]))
        default:
            let why = error.map { ": \($0)" } ?? ""
            return .failed(TaskRunError(code: .childFailed, message: "child launch \(childID) ended \(state.rawValue)\(why)").description)
        }
    }
}
