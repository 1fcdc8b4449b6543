import Foundation
import Postgres
import SweepJSON
import SweepStore
import SweepTestSupport
import Testing

/// Runs of an `executor_type` configuration (issue 14): schedulers never claim them; an executor claims only its
/// own user's runs of its own type, lower priority first, with the scheduler claim's lease and attempt.
@Suite(.serialized) struct ExecutorClaimTests: StoreSuite {
    let store: StoreFixture

    init() throws {
        store = try StoreFixture()
    }

    func executorWorkflow(_ id: String, type: String, priority: Int, runs: Int) -> String {
        """
        {"workflow_id": "\(id)", "tasks": [
          {"id": "a", "execution_configurations": [{"executor_type": "\(type)", "function": "f", "args": [1], "priority": \(priority)}],
           "successors": [], "properties": {"position": "start", "multiplicity": \(runs)}}]}
        """
    }

    /// Executor `ex_test` of `tenant` (claims are made only for an executor that exists).
    func registerExecutor(_ tenant: TestTenant) throws {
        try driver.connection.execute("""
            INSERT INTO executors (user_id, id, name, type) VALUES (\(tenant.userID), 'ex_test', 'test', 'py') ON CONFLICT DO NOTHING
            """)
    }

    func assign(_ tenant: TestTenant, type: String, limit: Int) throws -> [ExecutorStore.Assignment] {
        try registerExecutor(tenant)
        return try ExecutorStore.assign(driver.connection, userID: tenant.userID, executorID: "ex_test", type: type, limit: limit,
                                 leaseSeconds: 60, runningCap: LimitDefaults.defaultMaxRunningRuns)
    }

    @Test func schedulersLeaveExecutorRunsAndExecutorsTakeOnlyTheirUsersType() throws {
        let owner = try TestTenant.create(database)
        try owner.registerWorkflow(executorWorkflow("remote", type: "py", priority: 1, runs: 3))
        let launch = try owner.launch("remote")
        let stranger = try TestTenant.create(database)
        #expect(try driver.claim(limit: 100).isEmpty, "a scheduler claims no executor run")
        #expect(try assign(stranger, type: "py", limit: 100).isEmpty, "another user's executor of the type gets nothing")
        #expect(try assign(owner, type: "gpu", limit: 100).isEmpty, "an executor of another type gets nothing")
        let items = try assign(owner, type: "py", limit: 2)
        #expect(items.count == 2 && items.allSatisfy { $0.launchID == launch && $0.attempt == 1 && $0.function == "f" && $0.args == [1] })
        #expect(items.allSatisfy { $0.token.hasPrefix("tt_") })
        let claimedBy = try driver.connection.query("SELECT DISTINCT claimed_by FROM task_runs WHERE state = 'running'")
            .map { try $0.decode(String.self, column: "claimed_by") }
        #expect(claimedBy == ["executor:ex_test"])
        #expect(try assign(owner, type: "py", limit: 100).count == 1)
    }

    @Test func lowerPriorityNumbersComeFirst() throws {
        let owner = try TestTenant.create(database)
        try owner.registerWorkflow(executorWorkflow("later", type: "py", priority: 5, runs: 2))
        try owner.registerWorkflow(executorWorkflow("sooner", type: "py", priority: 1, runs: 2))
        let later = try owner.launch("later")
        let sooner = try owner.launch("sooner")
        #expect(try assign(owner, type: "py", limit: 3).map(\.launchID) == [sooner, sooner, later])
    }

    @Test func aLaunchWithAFewRunsIsNotHeldBackByAnEarlierLaunchsBacklog() throws {
        let owner = try TestTenant.create(database)
        try owner.registerWorkflow(executorWorkflow("backlog", type: "py", priority: 1, runs: 600))
        try owner.registerWorkflow(executorWorkflow("few", type: "py", priority: 1, runs: 2))
        let backlog = try owner.launch("backlog")
        let few = try owner.launch("few")
        let first = try assign(owner, type: "py", limit: 10).map(\.launchID)
        #expect(first.filter { $0 == few }.count == 2 && first.filter { $0 == backlog }.count == 8, "\(first)")
    }

    func claim(_ tenant: TestTenant, limit: Int, cap: Int = LimitDefaults.defaultMaxRunningRuns, now: Date? = nil) throws -> ExecutorStore.Claim {
        try registerExecutor(tenant)
        return try ExecutorStore.claim(driver.connection, userID: tenant.userID, executorID: "ex_test", type: "py", limit: limit,
                                leaseSeconds: 60, runningCap: cap, now: now)
    }

    /// A long-poll parked before its executor was deleted claims nothing when woken, and says the work is left
    /// for the next waiter.
    @Test func aDeletedExecutorClaimsNothing() throws {
        let owner = try TestTenant.create(database)
        try owner.registerWorkflow(executorWorkflow("gone", type: "py", priority: 1, runs: 1))
        _ = try owner.launch("gone")
        try registerExecutor(owner)
        try driver.connection.execute("DELETE FROM executors WHERE user_id = \(owner.userID) AND id = 'ex_test'")
        let taken = try ExecutorStore.claim(driver.connection, userID: owner.userID, executorID: "ex_test", type: "py", limit: 1,
                                            leaseSeconds: 60, runningCap: LimitDefaults.defaultMaxRunningRuns)
        #expect(taken.items.isEmpty && taken.executorGone && taken.workLeft)
        #expect(try claim(owner, limit: 1).items.count == 1, "registered again, it claims the run")
    }

    /// Parked long-polls hand a notification on to the next waiter only when a claim says more is claimable now.
    @Test func aClaimSaysWhetherWorkIsLeftForTheNextExecutor() throws {
        let owner = try TestTenant.create(database)
        try owner.registerWorkflow(executorWorkflow("three", type: "py", priority: 1, runs: 3))
        _ = try owner.launch("three")
        let first = try claim(owner, limit: 2)
        #expect(first.items.count == 2 && first.workLeft)
        let second = try claim(owner, limit: 2)
        #expect(second.items.count == 1 && !second.workLeft)
        let third = try claim(owner, limit: 2)
        #expect(third.items.isEmpty && !third.workLeft)
        // At the running cap nothing more is claimable, however many runs are scheduled.
        let capped = try TestTenant.create(database)
        try capped.registerWorkflow(executorWorkflow("many", type: "py", priority: 1, runs: 5))
        _ = try capped.launch("many")
        let atCap = try claim(capped, limit: 1, cap: 1)
        #expect(atCap.items.count == 1 && !atCap.workLeft)
        #expect(try claim(capped, limit: 1, cap: 1).items.isEmpty)
    }

    /// `RuntimeEnforcer`'s read: an executor's running run past its task's max_runtime (else the launch's, else the
    /// scheduler's default), counted from the attempt's start, with the injected clock.
    @Test func executorRunsPastTheirRuntimeAreFound() throws {
        let owner = try TestTenant.create(database)
        try owner.registerWorkflow("""
            {"workflow_id": "timed", "tasks": [{"id": "a", "execution_configurations": [{"executor_type": "py", "function": "f", "priority": 1}],
             "successors": [], "properties": {"position": "start", "max_runtime": 5}}]}
            """)
        try owner.registerWorkflow(executorWorkflow("untimed", type: "py", priority: 1, runs: 1))
        let timed = try owner.launch("timed")
        let untimed = try owner.launch("untimed")
        let start = Date(timeIntervalSince1970: 2_000_000_000)
        #expect(try claim(owner, limit: 2, now: start).items.count == 2)
        func overdue(after seconds: Double) throws -> [String: Int] {
            let rows = try driver.connection.query(TaskRunSQL.overdueExecutorRuns.query([
                "now": start.addingTimeInterval(seconds).postgresBind, "default_runtime": 30.postgresBind, "batch": 100.postgresBind,
            ]))
            return Dictionary(uniqueKeysWithValues: try rows.map {
                (try $0.decode(String.self, column: "launch_id"), try $0.decode(Int.self, column: "seconds"))
            })
        }
        #expect(try overdue(after: 4.5).isEmpty)
        #expect(try overdue(after: 5.5) == [timed: 5])
        #expect(try overdue(after: 31) == [timed: 5, untimed: 30])
        // A run that ended is not looked at.
        try driver.connection.execute("UPDATE task_runs SET state = 'succeeded' WHERE launch_id = \(timed)::uuid")
        #expect(try overdue(after: 31) == [untimed: 30])
    }
}
