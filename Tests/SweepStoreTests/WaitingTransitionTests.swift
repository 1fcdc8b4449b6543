import Foundation
import Postgres
import SweepJSON
import SweepModel
import SweepStore
import SweepTestSupport
import Testing

/// The waiting kinds' transitions (`TaskRunSQL.enterWaiting`, `wake` through `LaunchProgression.completeWaiting`),
/// signals (`SignalStore`), child launches (`ChildLaunch`) and the workflow `output` expression, on a real
/// PostgreSQL, each test on a database of its own.
@Suite(.serialized) struct WaitingTransitionTests: StoreSuite {
    let store: StoreFixture

    init() throws {
        store = try StoreFixture()
    }

    func tenant() throws -> TestTenant {
        let tenant = try TestTenant.create(database)
        try tenant.registerFunctions(["a", "b"])
        return tenant
    }

    /// a -> `middle` (a task of the given kind, JSON text) -> b.
    static func around(_ id: String, _ middle: String) -> String {
        """
        {"workflow_id": "\(id)", "tasks": [
          {"id": "a", "execution_configurations": [{"function_def_id": "a", "priority": 1}], "successors": ["w"], "properties": {"position": "start"}},
          \(middle),
          {"id": "b", "execution_configurations": [{"function_def_id": "b", "priority": 1}], "successors": []}]}
        """
    }

    /// Completes waiting run `name` of `launchID` as a service or the signal API would.
    func completeWaiting(_ t: TestTenant, _ launchID: String, _ name: String, attempt: Int, _ outcome: RunCompletion.Outcome) throws -> Bool {
        try driver.connection.transaction { connection in
            guard let launch = try LaunchRecord.lock(connection, id: launchID), let plan = try LaunchPlan.load(connection, launchID: launchID) else {
                throw TestFailure("no launch")
            }
            let run = try driver.value(Int64.self, "SELECT id FROM task_runs WHERE launch_id = \(launchID)::uuid AND name = \(name)")
            let progression = LaunchProgression(connection: connection, launch: launch, plan: plan)
            let done = try progression.completeWaiting(run: run, attempt: attempt, outcome: outcome)
            try progression.flush()
            return done
        }
    }

    @Test func aTimerWaitsUntilItsDeadlineUnclaimedThenCompletesThroughTheSharedPath() throws {
        let t = try tenant()
        try t.registerWorkflow(Self.around("w", #"{"id": "w", "type": "timer", "successors": ["b"], "properties": {"duration": 30}}"#))
        let id = try t.launch("w")
        let a = try driver.claim()[0]
        try driver.complete(id, [driver.success(a)])
        let runs = try t.runs(id)
        #expect(runs["w"]?.state == "waiting" && runs["w"]?.attempt == 1 && runs["b"]?.state == "pending")
        #expect(try t.events(id).contains("task.waiting w"))
        let due = try driver.value(Double.self, "SELECT extract(epoch FROM ready_at - now())::float8 FROM task_runs WHERE launch_id = \(id)::uuid AND name = 'w'")
        #expect(due > 25 && due <= 30)
        #expect(try driver.claim().isEmpty, "a waiting run is never claimed")
        #expect(try !completeWaiting(t, id, "w", attempt: 2, .succeeded(.null)), "a stale attempt changes nothing")
        #expect(try completeWaiting(t, id, "w", attempt: 1, .succeeded(.null)))
        let after = try t.runs(id)
        #expect(after["w"]?.state == "succeeded" && after["b"]?.state == "scheduled")
        // The timer is absent from b's predecessor_outputs.
        #expect(after["b"]?.input?["predecessor_outputs"] == [:])
        let counters = try driver.counters(id)
        #expect(counters.written == counters.counted)
    }

    @Test func aWaitingKindSentBackToScheduledByARetryWaitsAgainWhenClaimed() throws {
        let t = try tenant()
        try t.registerWorkflow(Self.around("w", #"{"id": "w", "type": "timer", "successors": ["b"], "properties": {"duration": 30}}"#))
        let id = try t.launch("w")
        try driver.complete(id, [driver.success(try driver.claim()[0])])
        // What a retry of a failed attempt does: back to scheduled, ready now, still counted active.
        try driver.connection.execute("UPDATE task_runs SET state = 'scheduled', ready_at = now() WHERE launch_id = \(id)::uuid AND name = 'w'")
        try driver.connection.execute("UPDATE launches SET active_runs = active_runs + 1 WHERE id = \(id)::uuid")
        let claimed = try driver.claim()
        #expect(claimed.map(\.name) == ["w"] && claimed[0].attempt == 2)
        let parked = try driver.connection.transaction { connection in
            let launch = try LaunchRecord.lock(connection, id: id)!
            let progression = LaunchProgression(connection: connection, launch: launch, plan: try LaunchPlan.load(connection, launchID: id)!)
            defer { _ = try? progression.flush() }
            return try progression.park(run: claimed[0].id, attempt: 2, taskID: "w")
        }
        #expect(parked)
        let runs = try t.runs(id)
        #expect(runs["w"]?.state == "waiting" && runs["w"]?.attempt == 2)
        let due = try driver.value(Double.self, "SELECT extract(epoch FROM ready_at - now())::float8 FROM task_runs WHERE launch_id = \(id)::uuid AND name = 'w'")
        #expect(due > 25 && due <= 30)
        // It gave its slot back: no run of the launch is active (StoreDriver.counters predates `waiting`, so only
        // the active count is compared).
        let counters = try driver.counters(id)
        #expect(counters.written[1] == 0 && counters.counted[1] == 0)
    }

    @Test func anEarlySignalIsKeptAndMakesItsRunDueAtOnce() throws {
        let t = try tenant()
        try t.registerWorkflow(Self.around("s", #"{"id": "w", "type": "signal", "successors": ["b"], "properties": {"timeout": 600}}"#))
        let id = try t.launch("s")
        #expect(try t.tenant { try SignalStore($0).send(launchID: id, taskID: "w", payload: ["ok": true]) } == .accepted(state: "pending"))
        #expect(try t.tenant { try SignalStore($0).send(launchID: id, taskID: "w", payload: 2) } == .alreadySignalled)
        #expect(try t.tenant { try SignalStore($0).send(launchID: id, taskID: "a", payload: 2) } == .notASignalTask)
        #expect(try t.tenant { try SignalStore($0).send(launchID: id, taskID: "zz", payload: 2) } == .taskNotFound)
        let other = try TestTenant.create(database)
        #expect(try other.tenant { try SignalStore($0).send(launchID: id, taskID: "w", payload: 2) } == .launchNotFound)
        let a = try driver.claim()[0]
        try driver.complete(id, [driver.success(a)])
        #expect(try t.runs(id)["w"]?.state == "waiting")
        let due = try driver.value(Bool.self, "SELECT ready_at <= now() FROM task_runs WHERE launch_id = \(id)::uuid AND name = 'w'")
        #expect(due, "a stored signal makes the run due at once, for the waiting service to deliver")
    }

    @Test func aSignalToAWaitingRunCompletesItAtOnce() throws {
        let t = try tenant()
        try t.registerWorkflow(Self.around("s", #"{"id": "w", "type": "signal", "successors": ["b"]}"#))
        let id = try t.launch("s")
        try driver.complete(id, [driver.success(try driver.claim()[0])])
        let due = try driver.value(Bool.self, "SELECT ready_at IS NULL FROM task_runs WHERE launch_id = \(id)::uuid AND name = 'w'")
        #expect(due, "no timeout: nothing is due")
        #expect(try t.tenant { try SignalStore($0).send(launchID: id, taskID: "w", payload: "yes") } == .accepted(state: "succeeded"))
        let runs = try t.runs(id)
        #expect(runs["w"]?.state == "succeeded" && runs["w"]?.output == "yes" && runs["b"]?.state == "scheduled")
        #expect(runs["b"]?.input?["predecessor_outputs"]?["w"] == "yes")
    }

    @Test func aChildLaunchIsMadeOnceAdoptedAndLimitedInDepth() throws {
        let t = try tenant()
        try t.registerWorkflow(TestWorkflows.single("kid"))
        try t.registerWorkflow(#"{"workflow_id": "p", "tasks": [{"id": "w", "type": "workflow", "successors": [], "properties": {"position": "start", "workflow_id": "kid"}}]}"#)
        let id = try t.launch("p", input: ["x": 1])
        let runs = try t.runs(id)
        #expect(runs["w"]?.state == "waiting")
        let run = try driver.value(Int64.self, "SELECT id FROM task_runs WHERE launch_id = \(id)::uuid AND name = 'w'")
        let waiting = WaitingTask(.workflow(workflowID: "kid", version: nil))!
        func start() throws -> ChildLaunch.Outcome {
            try driver.connection.transaction { connection in
                try ChildLaunch.start(connection, userID: t.userID, parentID: id, run: run, attempt: 1, waiting: waiting, input: ["x": 1])
            }
        }
        guard case .started(let first) = try start(), case .started(let second) = try start() else { Issue.record("no child"); return }
        #expect(first == second, "one child per parent run and attempt")
        let child = try t.summary(first)
        #expect(child.parentLaunchID == id && child.parentRunName == "w")
        #expect(try driver.connection.query("SELECT input FROM launches WHERE id = \(first)::uuid")[0].decode(JSONValue.self, column: "input") == ["x": 1])
        #expect(try t.tenant { try LaunchStore($0).list(state: nil, workflowID: nil, parentLaunchID: id, after: nil, limit: 10) }.map(\.id) == [first])
        try driver.connection.execute("UPDATE launches SET nesting_depth = 8 WHERE id = \(id)::uuid")
        guard case .refused(let error) = try driver.connection.transaction({ connection in
            try ChildLaunch.start(connection, userID: t.userID, parentID: id, run: run, attempt: 2, waiting: waiting, input: nil)
        }) else { Issue.record("depth not refused"); return }
        #expect(error.code == .workflowDepthExceeded)
        // Cancelling the parent cancels the child first.
        #expect(try t.tenant { try LaunchStore($0).cancel(id: id) } == true)
        #expect(try t.summary(first).state == "cancelled")
    }

    @Test func anOutputExpressionSetsTheOutputAndItsErrorFailsTheLaunch() throws {
        let t = try tenant()
        try t.registerWorkflow(#"{"workflow_id": "good", "output": "task_outputs['a']['v'] * 2", "tasks": [{"id": "a", "execution_configurations": [{"function_def_id": "a", "priority": 1}], "successors": [], "properties": {"position": "start"}}]}"#)
        try t.registerWorkflow(#"{"workflow_id": "bad", "output": "task_outputs['a']['missing']", "tasks": [{"id": "a", "execution_configurations": [{"function_def_id": "a", "priority": 1}], "successors": [], "properties": {"position": "start"}}]}"#)
        let good = try t.launch("good")
        try driver.complete(good, [driver.success(try driver.claim()[0], output: ["v": 21])])
        #expect(try t.summary(good).state == "succeeded" && t.summary(good).output == 42)
        let bad = try t.launch("bad")
        try driver.complete(bad, [driver.success(try driver.claim()[0], output: ["v": 1])])
        #expect(try t.summary(bad).state == "failed")
        let error = try driver.value(String.self, "SELECT error FROM launches WHERE id = \(bad)::uuid")
        #expect(error.hasPrefix("output_failed"))
        #expect(try t.events(bad).last == "launch.failed")
    }

    /// A child launch takes a place of `max_launches_in_flight` like any launch: at the limit nothing is made and the
    /// parent keeps waiting; a child made before is found however full the user is.
    @Test func aChildLaunchWaitsWhileItsUserIsAtMaxLaunchesInFlight() throws {
        let t = try tenant()
        try t.registerWorkflow(TestWorkflows.single("kid"))
        try t.registerWorkflow(#"{"workflow_id": "p", "tasks": [{"id": "w", "type": "workflow", "successors": [], "properties": {"position": "start", "workflow_id": "kid"}}]}"#)
        let id = try t.launch("p")
        let run = try driver.value(Int64.self, "SELECT id FROM task_runs WHERE launch_id = \(id)::uuid AND name = 'w'")
        let waiting = WaitingTask(.workflow(workflowID: "kid", version: nil))!
        func start(limit: Int) throws -> ChildLaunch.Outcome {
            try driver.connection.transaction { connection in
                try ChildLaunch.start(connection, userID: t.userID, parentID: id, run: run, attempt: 1, waiting: waiting, input: nil,
                                      defaultMaxLaunchesInFlight: limit)
            }
        }
        guard case .atLimit = try start(limit: 1) else { Issue.record("the parent alone fills a limit of 1"); return }
        #expect(try driver.value(Int.self, "SELECT count(*)::int FROM launches WHERE parent_launch_id = \(id)::uuid") == 0)
        guard case .started(let child) = try start(limit: 2) else { Issue.record("no child under a limit of 2"); return }
        guard case .started(let again) = try start(limit: 1) else { Issue.record("the existing child not found at the limit"); return }
        #expect(child == again)
        // The user's own limit wins over the default.
        try UserLimitStore.put(driver.connection, userID: t.userID, UserLimits(maxLaunchesInFlight: 2))
        guard case .atLimit = try driver.connection.transaction({ connection in
            try ChildLaunch.start(connection, userID: t.userID, parentID: id, run: run, attempt: 2, waiting: waiting, input: nil,
                                  defaultMaxLaunchesInFlight: 100)
        }) else { Issue.record("the user's limit of 2 not applied"); return }
    }
}

