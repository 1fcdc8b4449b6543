import Foundation
import Postgres
import SweepJSON
import SweepModel
import SweepStates

/// What a running task reports through the run API (heartbeat, result, children), recorded by the statements
/// every scheduler uses: the result is a `RunCompletion` taken by `LaunchProgression.complete` (fenced by state
/// and attempt, with its events and successors), children are runs `LaunchProgression` inserts. The task token's
/// holder scopes everything to its own run, launch and attempt.
public enum RunReportStore {
    /// What a task reported as its result.
    public enum Reported: Sendable {
        case output(JSONValue)
        /// `retryable` is the task's own word on whether another attempt may help (API.md `{"error": {"retryable"}}`);
        /// carried to the failure path, which decides retries.
        case error(message: String, retryable: Bool?)
    }

    /// Extends the lease of the holder's run; nil when the lease is lost (rescued, re-assigned, ended).
    public static func heartbeat(_ database: Database, holder: TaskTokenHolder, leaseSeconds: Int, now: Date? = nil) throws -> String? {
        try database.system { connection in
            try connection.query(TaskRunSQL.renewRunLease.query([
                "run": holder.runRowID.postgresBind, "attempt": holder.attempt.postgresBind, "lease": leaseSeconds.postgresBind,
                "now": now.postgresBind,
            ])).first.map { try $0.decode(String.self, column: "lease_expires_at") }
        }
    }

    /// Records the result of the holder's attempt; false when that attempt no longer holds the run (the result is
    /// discarded). An output the database cannot hold (`admission`) fails the run instead, as a scheduler's would.
    public static func result(_ database: Database, holder: TaskTokenHolder, _ reported: Reported, admission: OutputAdmission,
                              plans: LaunchPlanCache? = nil) throws -> Bool {
        try database.system { connection in
            try connection.transaction { connection in
                guard let row = try connection.query("""
                    SELECT static_output, cardinality(successors) = 0 AS leaf FROM task_runs
                    WHERE id = \(holder.runRowID) AND state = \(unsafeSQL: RunState.running.sql) AND attempt = \(holder.attempt)
                    """).first else { return false }
                let outcome: RunCompletion.Outcome
                var retryable = true
                switch reported {
                case .output(let output):
                    let final = Planner.output(executorOutput: output, staticOutput: try row.decode(JSONValue?.self, column: "static_output"))
                    if let reason = admission.problem(in: final) { outcome = .failed(OutputAdmission.message(reason)) } else { outcome = .succeeded(final) }
                case .error(let message, let mayRetry):
                    outcome = .failed(StorableText.sanitised(message))
                    retryable = mayRetry ?? true
                }
                let completion = RunCompletion(runID: holder.runRowID, launchID: holder.launchID, attempt: holder.attempt, outcome: outcome,
                                               identity: .init(name: holder.runName, taskID: holder.taskID), retryable: retryable)
                guard let plan = try (plans?.plan(connection, launchID: holder.launchID) ?? LaunchPlan.load(connection, launchID: holder.launchID))
                else { return false }
                // A success that nothing waits for (no successors, not even children) in a launch without
                // max_task_concurrency takes the schedulers' leaf path (`LeafCompletion`): the launch's row is
                // locked only from its counter update to COMMIT, so executors reporting together do not queue.
                if case .succeeded = outcome, try row.decode(Bool.self, column: "leaf"), plan.planner.workflow.config.maxTaskConcurrency == nil {
                    guard let open = try LeafCompletion.record(connection, launchID: holder.launchID, [completion]) else { return false }
                    if open == 0, let launch = try LaunchRecord.lock(connection, id: holder.launchID) {
                        try LaunchProgression(connection: connection, launch: launch, plan: plan).flush()
                    }
                    return true
                }
                guard let launch = try LaunchRecord.lock(connection, id: holder.launchID) else { return false }
                let progression = LaunchProgression(connection: connection, launch: launch, plan: plan)
                let accepted = try progression.complete([completion])
                try progression.flush()
                return accepted > 0
            }
        }
    }

    /// True when `token` names a run that exists (whatever its state): a token that no longer authenticates but
    /// names a real run lost its lease (409 `lease_lost`) rather than being unknown (401).
    public static func namesRun(_ database: Database, token: String) throws -> Bool {
        guard let runID = ProgressStore.runID(of: token) else { return false }
        return try database.system { try !$0.query("SELECT 1 FROM task_runs WHERE id = \(runID)").isEmpty }
    }

    /// A child to add (`POST /api/v1/run/children`).
    public struct Child: Sendable {
        public var name: String
        /// The child as a one-task workflow document would hold it (`id`, `execution_configurations`, `properties`).
        public var task: JSONValue

        public init(name: String, task: JSONValue) {
            self.name = name
            self.task = task
        }
    }

    public enum ChildrenAnswer: Sendable {
        case added([String])
        case leaseLost
        case invalid(field: String, code: String, message: String)
        case conflict(code: String, message: String)
        case overLimit(limit: Int)
    }

    /// Adds children of the holder's run in its launch, in the launch user's transaction (the executors they name
    /// are that user's).
    public static func addChildren(_ database: Database, holder: TaskTokenHolder, _ children: [Child], before: String?) throws -> ChildrenAnswer {
        try database.tenant(holder.userID) { tx in
            let connection = tx.connection
            guard let plan = try LaunchPlan.load(connection, launchID: holder.launchID),
                  let launch = try LaunchRecord.lock(connection, id: holder.launchID), !launch.isTerminal,
                  let caller = try connection.query("""
                      SELECT executor_type IS NULL AS scheduled FROM task_runs
                      WHERE id = \(holder.runRowID) AND state = \(unsafeSQL: RunState.running.sql) AND attempt = \(holder.attempt)
                      """).first
            else { return .leaseLost }
            // A scheduler records the success of a task with no successors in its workflow without planning
            // (`LeafCompletion`, the hot path of wide scatters), so children of such a run would never be released:
            // refuse them rather than let them wait forever. Executors' results take the general path.
            if try caller.decode(Bool.self, column: "scheduled"), plan.planner.isLeaf(taskID: holder.taskID),
               plan.planner.workflow.config.maxTaskConcurrency == nil {
                return .conflict(code: "leaf_task", message: "task \(holder.taskID) has no successors in its workflow and runs on a scheduler, "
                                 + "which records its end without releasing children: give it a successor (a task that gathers) or run it on an executor")
            }

            let workflowTasks = plan.planner.workflow.tasks.map(\.id)
            for (index, child) in children.enumerated() {
                if plan.planner.isWorkflowTask(child.name) || workflowTasks.contains(where: { child.name.hasPrefix($0 + "_") }) {
                    return .invalid(field: "/children/\(index)/name", code: "invalid_value",
                                    message: "child name \(child.name) is, or could become, the name of a run of a workflow task")
                }
            }
            let workflow: Workflow
            do {
                workflow = try Workflow(json: ["workflow_id": "children", "tasks": .array(children.map(\.task))])
            } catch let error as ValidationError {
                return .invalid(field: error.field.replacingOccurrences(of: "/tasks/", with: "/children/"), code: error.code.rawValue, message: error.message)
            }
            let resolved = try ExecutorResolver(tx).resolve(workflow)
            var execs: [(name: String, exec: JSONValue)] = []
            for (index, task) in workflow.tasks.enumerated() {
                let alternatives = resolved[task.id] ?? .array([])
                if let reason = alternatives.arrayValue?.first(where: { $0["kind"]?.stringValue == "unavailable" })?["reason"]?.stringValue {
                    return .invalid(field: "/children/\(index)/execution_configurations", code: "unknown_executable", message: reason)
                }
                var exec: [String: JSONValue] = ["alternatives": alternatives]
                if let staticInput = task.properties.staticInput { exec["static_input"] = staticInput }
                execs.append((task.id, exec: .object(exec)))
            }
            let taken = try connection.query("""
                SELECT name FROM task_runs WHERE launch_id = \(holder.launchID)::uuid AND name = ANY(\(children.map(\.name)))
                """).map { try $0.decode(String.self, column: "name") }
            if let name = taken.first { return .conflict(code: "name_taken", message: "launch \(holder.launchID) has a run named \(name) already") }
            let maxRuns = try connection.query("SELECT max_runs FROM launches WHERE id = \(holder.launchID)::uuid")
                .first?.decode(Int?.self, column: "max_runs") ?? LimitDefaults.defaultMaxReplicasPerLaunch
            if launch.ledger.totalRuns + children.count > maxRuns { return .overLimit(limit: maxRuns) }

            let progression = LaunchProgression(connection: connection, launch: launch, plan: plan)
            guard try progression.addChildren(parent: holder.runName, children: execs, before: before) else {
                return .conflict(code: "not_pending", message: "run \(before ?? "") is not a pending run of this launch")
            }
            try progression.flush()
            return .added(children.map(\.name))
        }
    }
}
