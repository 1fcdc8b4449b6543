import Postgres
import SweepJSON
import SweepStore
import SweepStates

/// A run this scheduler holds a lease on, with everything needed to execute it.
/// A class: a claimed run is copied into the in-flight table, completions and log metadata, and a struct this size
/// retained each of its references on every copy (a share of the retain/release in a scheduler's profile).
final class ClaimedRun: Sendable {
    let id: RunRowID
    let launchID: String
    let userID: UserID
    let name: RunName
    let taskID: String
    /// The fencing token: completion is recorded only while the run is still at this attempt.
    let attempt: Int
    /// The run's input as the database sent it (JSON text): an HTTP function gets it spliced into its body as it is
    /// (`SchedulerEngine.Loop.httpBody`); parsing it into a tree per run only to serialise it again was a tenth of
    /// a scheduler's CPU per run.
    let inputJSON: [UInt8]
    let plan: ExecutionPlan
    let staticOutput: JSONValue?
    /// The task's max_runtime and the launch's max_task_runtime, apart, for `runtimeLimit`.
    private let taskRuntimeSeconds: Int?
    private let workflowRuntimeSeconds: Int?
    /// Lets the running task post its progress (and nothing else); dies with the run.
    let progressToken: String

    /// `plans` reuses what the same `exec` text parsed to (a scatter's replicas share one).
    init(_ row: PostgresRow, plans: ExecutionPlans? = nil) throws {
        id = try row.decode(Int64.self, column: "id")
        launchID = try row.decode(String.self, column: "launch_id")
        userID = UserID(try row.decode(Int64.self, column: "user_id"))
        name = try row.decode(String.self, column: "name")
        taskID = try row.decode(String.self, column: "task_id")
        attempt = try row.decode(Int.self, column: "attempt")
        let input = row.bytes(column: "input") ?? Array("{}".utf8)
        // The one check of a parse that a claim needs: a stored input the parser would refuse fails its run here.
        let depth = JSONDepth.of(input)
        guard depth <= JSONParser.defaultMaxDepth else {
            throw PostgresError(code: .decoding, message: "the input nests \(depth) levels deep, more than \(JSONParser.defaultMaxDepth)")
        }
        inputJSON = input
        if let plans, let exec = row.bytes(column: "exec") {
            plan = try plans.plan(exec)
        } else {
            plan = ExecutionPlan(try row.decode(JSONValue?.self, column: "exec") ?? .null)
        }
        staticOutput = try row.decode(JSONValue?.self, column: "static_output")
        // A task's max_runtime overrides the workflow's max_task_runtime (the launch row's).
        taskRuntimeSeconds = plan.runtimeSeconds
        workflowRuntimeSeconds = try row.decode(Int?.self, column: "max_runtime_seconds")
        progressToken = try row.decode(String.self, column: "token")
    }

    /// The attempt's runtime limit and where it came from, given the scheduler's default.
    func runtimeLimit(default seconds: Int) -> RuntimeLimit {
        RuntimeLimit(task: taskRuntimeSeconds, workflow: workflowRuntimeSeconds, scheduler: seconds)
    }

    /// The input as a value (local functions and containers read it; HTTP calls send `inputJSON`).
    var input: JSONValue { (try? JSONParser.parse(inputJSON)) ?? .object([:]) }

    /// How completions of this run name it.
    var identity: RunCompletion.Identity { RunCompletion.Identity(name: name, taskID: taskID) }
}
