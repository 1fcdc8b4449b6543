import Foundation
import Postgres
import SweepJSON
import SweepStore
import SweepTestSupport
import Testing

/// The named statements of TaskRunSQL and LaunchSQL on a real PostgreSQL, each test on a database of its own.
/// Serialized: the suites of the I/O targets share two cores with the pure suites, some of which time themselves.
@Suite(.serialized) struct TransitionTests: StoreSuite {
    let store: StoreFixture

    init() throws {
        store = try StoreFixture()
    }

    func tenant(_ functions: [String] = ["a", "b", "c"]) throws -> TestTenant {
        let tenant = try TestTenant.create(database)
        try tenant.registerFunctions(functions)
        return tenant
    }

    @Test func aLaunchStartsWithItsFirstRunScheduledAndCounted() throws {
        let t = try tenant()
        try t.registerWorkflow(TestWorkflows.chain("w"))
        let id = try t.launch("w")
        let runs = try t.runs(id)
        #expect(runs["a"]?.state == "scheduled" && runs["b"]?.state == "pending" && runs["c"]?.state == "pending")
        #expect(try t.summary(id).state == "waiting")
        #expect(try t.events(id) == ["task.scheduled a"])
        let counters = try driver.counters(id)
        #expect(counters.written == [3, 1, 3, 0, 0] && counters.written == counters.counted)
    }

    @Test func aClaimLeasesTheRunCountsTheAttemptAndStartsTheLaunch() throws {
        let t = try tenant()
        try t.registerWorkflow(TestWorkflows.chain("w"))
        let id = try t.launch("w")
        let claimed = try driver.claim()
        #expect(claimed.map(\.name) == ["a"] && claimed[0].attempt == 1)
        #expect(try t.summary(id).state == "running")
        #expect(try t.events(id) == ["task.scheduled a", "launch.started", "task.started a"])
        #expect(try driver.claim().isEmpty, "nothing else is ready")
        let lease = try driver.value(Double.self, "SELECT extract(epoch FROM lease_expires_at - now())::float8 FROM task_runs WHERE id = \(claimed[0].id)")
        #expect(lease > 25 && lease <= 30)
    }

    @Test func successesCountDownAndScheduleTheSuccessorThroughTheGeneralPath() throws {
        let t = try tenant()
        try t.registerWorkflow(TestWorkflows.chain("w"))
        let id = try t.launch("w", input: ["n": 1])
        let a = try driver.claim()[0]
        #expect(try driver.complete(id, [driver.success(a, output: ["x": 1])]) == 1)
        let runs = try t.runs(id)
        #expect(runs["a"]?.state == "succeeded" && runs["a"]?.output == ["x": 1])
        #expect(runs["b"]?.state == "scheduled")
        #expect(runs["b"]?.input?["predecessor_outputs"] == ["a": ["x": 1]])
        try driver.drain()
        #expect(try t.summary(id).state == "succeeded")
        #expect(try t.summary(id).output == ["c": [:]])
        #expect(try t.events(id) == [
            "task.scheduled a", "launch.started", "task.started a", "task.succeeded a", "task.scheduled b", "task.started b",
            "task.succeeded b", "task.scheduled c", "task.started c", "task.succeeded c", "launch.succeeded"])
        let counters = try driver.counters(id)
        #expect(counters.written == [0, 0, 3, 3, 0] && counters.written == counters.counted)
    }

    @Test func aStaleAttemptChangesNothing() throws {
        let t = try tenant()
        try t.registerWorkflow(TestWorkflows.chain("w"))
        let id = try t.launch("w")
        let a = try driver.claim()[0]
        let stale = RunCompletion(runID: a.id, launchID: id, attempt: a.attempt - 1, outcome: .succeeded([:]))
        #expect(try driver.complete(id, [stale]) == 0)
        #expect(try t.runs(id)["a"]?.state == "running")
        let staleFailure = RunCompletion(runID: a.id, launchID: id, attempt: a.attempt + 1, outcome: .failed("late"))
        #expect(try driver.complete(id, [staleFailure]) == 0)
        #expect(try t.runs(id)["a"]?.state == "running")
    }

    @Test func aFailureMarksEverythingDownstreamAndEndsTheLaunchFailed() throws {
        let t = try tenant()
        try t.registerWorkflow(TestWorkflows.chain("w"))
        let id = try t.launch("w")
        let a = try driver.claim()[0]
        try driver.complete(id, [driver.failure(a, "it broke")])
        let runs = try t.runs(id)
        #expect(runs["a"]?.state == "failed" && runs["a"]?.error == "it broke")
        #expect(runs["b"]?.state == "upstream_failed" && runs["c"]?.state == "upstream_failed")
        let summary = try t.summary(id)
        #expect(summary.state == "failed" && summary.failedRuns == 1 && summary.finishedRuns == 3)
        #expect(try t.events(id).suffix(4) == ["task.failed a", "task.failed b", "task.failed c", "launch.failed"])
        let counters = try driver.counters(id)
        #expect(counters.written == counters.counted)
    }

    @Test func cancelClosesOpenRunsAndALateResultIsRefused() throws {
        let t = try tenant()
        try t.registerWorkflow(TestWorkflows.chain("w"))
        let id = try t.launch("w")
        let a = try driver.claim()[0]
        #expect(try t.tenant { try LaunchStore($0).cancel(id: id) } == true)
        #expect(try t.tenant { try LaunchStore($0).cancel(id: id) } == false, "a second cancel finds it ended")
        #expect(try t.runs(id).values.allSatisfy { $0.state == "cancelled" })
        #expect(try driver.complete(id, [driver.success(a)]) == 0)
        let summary = try t.summary(id)
        #expect(summary.state == "cancelled" && summary.finishedAt != nil)
        #expect(try t.events(id).suffix(4) == ["task.failed a", "task.failed b", "task.failed c", "launch.cancelled"])
        #expect(try driver.counters(id).written == [0, 0, 3, 3, 0])
    }

    @Test func aDelayedRunIsClaimedWhenTheClockPassesItsDelay() throws {
        let t = try tenant()
        try t.registerWorkflow(TestWorkflows.single("w", properties: #"{"position": "start", "delay": 600}"#))
        _ = try t.launch("w")
        #expect(try driver.claim().isEmpty, "ten minutes early")
        #expect(try driver.claim(now: Date().addingTimeInterval(590)).isEmpty)
        let later = try driver.claim(now: Date().addingTimeInterval(601))
        #expect(later.map(\.name) == ["a"])
        let seconds = try driver.connection.query(TaskRunSQL.secondsToNextReady.query(["now": Date?.none.postgresBind]))[0]
            .decode(Double?.self, column: "s")
        #expect(seconds == nil, "nothing else is scheduled")
    }

    @Test func secondsToNextReadySeesTheEarliestDelayedRunOfAnyUser() throws {
        let t1 = try tenant(), t2 = try tenant()
        try t1.registerWorkflow(TestWorkflows.single("w", properties: #"{"position": "start", "delay": 600}"#))
        try t2.registerWorkflow(TestWorkflows.single("w", properties: #"{"position": "start", "delay": 60}"#))
        _ = try t1.launch("w")
        _ = try t2.launch("w")
        let seconds = try driver.connection.query(TaskRunSQL.secondsToNextReady.query(["now": Date?.none.postgresBind]))[0]
            .decode(Double?.self, column: "s")
        #expect(seconds.map { $0 > 50 && $0 <= 60 } == true)
    }

    @Test func scatterExpandsThroughItsGateWithItsEvent() throws {
        let t = try tenant()
        try t.registerWorkflow(TestWorkflows.fan("w", width: 4))
        let id = try t.launch("w")
        try driver.drain()
        let runs = try t.runs(id)
        #expect(Set(runs.keys) == ["a", "b_A", "b_B", "b_C", "b_D"])
        #expect(try t.summary(id).state == "succeeded")
        #expect(try t.events(id).contains("task.expanded b"))
        let counters = try driver.counters(id)
        #expect(counters.written.dropFirst(2) == [5, 5, 0])
    }

    @Test func maxTaskConcurrencyHoldsRunsBackAndReleasesThemAsRunsFinish() throws {
        let t = try tenant()
        try t.registerWorkflow("""
            {"workflow_id": "w", "config": {"max_task_concurrency": 2}, "tasks": [
              {"id": "a", "execution_configurations": [{"function_def_id": "a", "priority": 1}], "successors": [],
               "properties": {"position": "start", "multiplicity": 5}}]}
            """)
        let id = try t.launch("w")
        let first = try driver.claim()
        #expect(first.count == 2, "two of five are admitted")
        try driver.complete(id, [driver.success(first[0])])
        let third = try driver.claim()
        #expect(third.count == 1, "one finished, one more admitted")
        let counters = try driver.counters(id)
        #expect(counters.written == counters.counted)
        try driver.complete(id, [driver.success(first[1]), driver.success(third[0])])
        try driver.drain()
        #expect(try t.summary(id).state == "succeeded")
    }

    @Test func leafSuccessesAreCountedOnTheLaunchRowAlone() throws {
        let t = try tenant()
        try t.registerWorkflow(TestWorkflows.fan("w", width: 3))
        let id = try t.launch("w")
        let a = try driver.claim()
        try driver.complete(id, a.map { driver.success($0) })
        let replicas = try driver.claim()
        #expect(replicas.count == 3)
        let open = try LeafCompletion.record(driver.connection, launchID: id, replicas.map { driver.success($0) })
        #expect(open == 0)
        #expect(try LeafCompletion.record(driver.connection, launchID: id, replicas.map { driver.success($0) }) == nil, "recorded once")
        #expect(try t.summary(id).state == "running", "ending is the locked path's job")
        try driver.complete(id, [])
        #expect(try t.summary(id).state == "succeeded")
        #expect(try t.events(id).filter { $0.hasPrefix("task.succeeded b") }.count == 3)
    }
}
