import Foundation
import Postgres
import SweepJSON
import SweepStore
import SweepTestSupport
import Testing

/// Issue 13's run transitions through the general path, with the clock moved instead of waited: a task error with
/// retries left goes back to scheduled with a durable ready_at (`TaskRunSQL.retry`), fenced by attempt; errors
/// marked final, exhausted retries and refused outputs fail; handed-back attempts are not charged; a disabled task is
/// skipped (`TaskRunSQL.skip`); an unstarted run past its max wait fails `wait_timeout` (`TaskRunSQL.failUnstarted`).
@Suite(.serialized) struct RetryTransitionTests: StoreSuite {
    let store: StoreFixture

    init() throws {
        store = try StoreFixture()
    }

    func launch(_ properties: String) throws -> (TestTenant, String) {
        let tenant = try TestTenant.create(database)
        try tenant.registerFunctions(["a"])
        try tenant.registerWorkflow(TestWorkflows.single("w", properties: properties))
        return (tenant, try tenant.launch("w"))
    }

    func readyAt(_ run: StoreDriver.Claimed) throws -> Date {
        try driver.value(Date.self, "SELECT ready_at FROM task_runs WHERE id = \(run.id)")
    }

    @Test func aTaskErrorWithRetriesLeftIsScheduledAgainAfterItsDelay() throws {
        let (tenant, launch) = try launch(#"{"position": "start", "retries": 2, "retry_delay": 5, "retry_backoff": 2}"#)
        let t0 = Date().addingTimeInterval(1)
        let first = try driver.claim(now: t0)[0]
        #expect(try driver.complete(launch, [driver.failure(first, "HTTP 503")], now: t0) == 1)
        #expect(try tenant.runs(launch)["a"]?.state == "scheduled")
        #expect(try tenant.runs(launch)["a"]?.error == nil, "the error is the event's, not the run's")
        #expect(abs(try readyAt(first).timeIntervalSince(t0) - 5) < 0.001, "ready 5 s after the failure")
        #expect(try tenant.events(launch).last == "task.retrying a")
        let data = try driver.value(JSONValue.self, "SELECT data FROM events WHERE type = 'task.retrying' AND launch_id = \(launch)::uuid")
        #expect(data["attempt"] == 2 && data["error"] == "HTTP 503" && data["retry_at"]?.stringValue != nil)

        #expect(try driver.claim(now: t0.addingTimeInterval(4.9)).isEmpty, "not before its ready_at")
        #expect(try driver.complete(launch, [driver.failure(first, "late")], now: t0) == 0, "the old attempt is fenced out")
        let second = try driver.claim(now: t0.addingTimeInterval(5))[0]
        #expect(second.id == first.id && second.attempt == 2)
        #expect(try driver.complete(launch, [driver.failure(second)], now: t0.addingTimeInterval(6)) == 1)
        #expect(abs(try readyAt(second).timeIntervalSince(t0.addingTimeInterval(6)) - 10) < 0.001, "5 s times the backoff")
        let third = try driver.claim(now: t0.addingTimeInterval(16))[0]
        #expect(try driver.complete(launch, [driver.failure(third, "the last error")], now: t0.addingTimeInterval(17)) == 1)
        let run = try tenant.runs(launch)["a"]
        #expect(run?.state == "failed" && run?.attempt == 3 && run?.error == "the last error", "retries exhausted")
        #expect(try tenant.summary(launch).state == "failed")
        let counters = try driver.counters(launch)
        #expect(counters.written == counters.counted)
    }

    @Test func errorsMarkedFinalAndRefusedOutputsAreNotRetried() throws {
        for failure in [{ (run: StoreDriver.Claimed) in
            var completion = driver.failure(run)
            completion.retryable = false
            return completion
        }, { (run: StoreDriver.Claimed) in driver.failure(run, RunCompletion.rejectedPrefix + "too large") }] {
            let (tenant, launch) = try launch(#"{"position": "start", "retries": 3}"#)
            let run = try driver.claim()[0]
            #expect(try driver.complete(launch, [failure(run)]) == 1)
            #expect(try tenant.runs(launch)["a"]?.state == "failed")
            #expect(try !tenant.events(launch).contains("task.retrying a"))
        }
    }

    @Test func anAttemptHandedBackByAStoppingSchedulerIsNotCharged() throws {
        let (tenant, launch) = try launch(#"{"position": "start", "retries": 1}"#)
        let first = try driver.claim()[0]
        #expect(try driver.connection.execute(TaskRunSQL.handBack.query([
            "ids": [first.id].postgresBind, "scheduler": driver.scheduler.postgresBind, "now": Date?.none.postgresBind,
        ])) == 1)
        let second = try driver.claim()[0]
        #expect(second.attempt == 2)
        try driver.complete(launch, [driver.failure(second)])
        #expect(try tenant.runs(launch)["a"]?.state == "scheduled", "the first execution that failed: one retry left")
        let third = try driver.claim()[0]
        try driver.complete(launch, [driver.failure(third)])
        #expect(try tenant.runs(launch)["a"]?.state == "failed")
    }

    @Test func lostLeasesAreRescuedAtOnceThenRetriedWithTheDelay() throws {
        let (tenant, launch) = try launch(#"{"position": "start", "retries": 5, "retry_delay": 7}"#)
        var now = Date().addingTimeInterval(1)
        var run = try driver.claim(now: now)[0]
        for _ in 1..<3 {  // the house's two free rescues: no delay
            now = now.addingTimeInterval(31)
            #expect(try driver.connection.query(TaskRunSQL.rescue.query(["now": now.postgresBind, "batch": 100.postgresBind])).count == 1)
            run = try driver.claim(now: now)[0]
        }
        #expect(run.attempt == 3)
        now = now.addingTimeInterval(31)
        let out = try driver.connection.query(TaskRunSQL.expiredOutOfAttempts.query(["now": now.postgresBind, "batch": 100.postgresBind]))
        #expect(out.count == 1)
        // What the rescuer reports, through the general path: a task error, charged its 3 executions, retried.
        #expect(try driver.complete(launch, [driver.failure(run, "lease expired during attempt 3")], now: now) == 1)
        #expect(try tenant.runs(launch)["a"]?.state == "scheduled")
        #expect(abs(try readyAt(run).timeIntervalSince(now) - 7) < 0.001)
        #expect(try tenant.events(launch).filter { $0 == "task.retrying a" }.count == 3)
    }

    @Test func aDisabledTaskIsSkippedAndItsSuccessorsProceed() throws {
        let tenant = try TestTenant.create(database)
        try tenant.registerFunctions(["a", "b", "c"])
        try tenant.registerWorkflow("""
            {"workflow_id": "skips", "tasks": [
              {"id": "a", "execution_configurations": [{"function_def_id": "a", "priority": 1}], "successors": ["b"], "properties": {"position": "start", "enabled": false}},
              {"id": "b", "execution_configurations": [{"function_def_id": "b", "priority": 1}], "successors": ["c"], "properties": {"enabled": false}},
              {"id": "c", "execution_configurations": [{"function_def_id": "c", "priority": 1}], "successors": []}]}
            """)
        let launch = try tenant.launch("skips")
        let runs = try tenant.runs(launch)
        #expect(runs["a"]?.state == "skipped" && runs["b"]?.state == "skipped" && runs["c"]?.state == "scheduled")
        #expect(runs["a"]?.output == [:])
        #expect(runs["c"]?.input?["predecessor_outputs"] == ["b": [:]])
        try driver.drain()
        #expect(try tenant.summary(launch).state == "succeeded")
        #expect(try tenant.events(launch).filter { $0.hasPrefix("task.skipped") } == ["task.skipped a", "task.skipped b"])
        let counters = try driver.counters(launch)
        #expect(counters.written == counters.counted)
    }

    @Test func aRunUnstartedPastItsMaxWaitFailsWaitTimeout() throws {
        let (tenant, launch) = try launch(#"{"position": "start", "max_wait_time": 10}"#)
        let overdue = { (now: Date) in
            try driver.connection.query(TaskRunSQL.overdueWaits.query(["now": now.postgresBind, "batch": 10.postgresBind]))
                .map { try $0.decode(Int64.self, column: "id") }
        }
        #expect(try overdue(Date().addingTimeInterval(9)).isEmpty)
        let ids = try overdue(Date().addingTimeInterval(11))
        #expect(ids.count == 1)
        let failed = try driver.connection.transaction { connection in
            let progression = LaunchProgression(connection: connection, launch: try LaunchRecord.lock(connection, id: launch)!,
                                                plan: try LaunchPlan.load(connection, launchID: launch)!, now: Date().addingTimeInterval(11))
            defer { _ = try? progression.flush() }
            return try progression.failUnstarted(ids)
        }
        #expect(failed == 1)
        let run = try tenant.runs(launch)["a"]
        #expect(run?.state == "failed" && run?.error?.hasPrefix("wait_timeout") == true)
        #expect(try tenant.summary(launch).state == "failed")
        #expect(try overdue(Date().addingTimeInterval(11)).isEmpty, "idempotent: nothing left to fail")
        let counters = try driver.counters(launch)
        #expect(counters.written == counters.counted)
    }
}
