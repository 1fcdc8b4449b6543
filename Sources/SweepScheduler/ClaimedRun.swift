import Postgres
import SweepJSON
import SweepStore
import SweepStates

/// A run this scheduler holds a lease on, with everything needed to execute it.
struct ClaimedRun: Sendable {
    let id: RunRowID
    let launchID: String
    let userID: UserID
    let name: RunName
    let taskID: String
    /// The fencing token: completion is recorded only while the run is still at this attempt.
    let attempt: Int
    let input: JSONValue
    let plan: ExecutionPlan
    let staticOutput: JSONValue?
    let runtimeSeconds: Int?
    /// Lets the running task post its progress (and nothing else); dies with the run.
    let progressToken: String

    init(_ row: PostgresRow) throws {
        id = try row.decode(Int64.self, column: "id")
        launchID = try row.decode(String.self, column: "launch_id")
        userID = UserID(try row.decode(Int64.self, column: "user_id"))
        name = try row.decode(String.self, column: "name")
        taskID = try row.decode(String.self, column: "task_id")
        attempt = try row.decode(Int.self, column: "attempt")
        input = try row.decode(JSONValue?.self, column: "input") ?? .object([:])
        plan = ExecutionPlan(try row.decode(JSONValue?.self, column: "exec") ?? .null)
        staticOutput = try row.decode(JSONValue?.self, column: "static_output")
        // A task's max_runtime overrides the workflow's max_task_runtime (the launch row's).
        runtimeSeconds = try plan.runtimeSeconds ?? row.decode(Int?.self, column: "max_runtime_seconds")
        progressToken = try row.decode(String.self, column: "token")
    }

    /// How completions of this run name it.
    var identity: RunCompletion.Identity { RunCompletion.Identity(name: name, taskID: taskID) }
}
