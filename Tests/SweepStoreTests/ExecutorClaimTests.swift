import Foundation
import Postgres
import SweepJSON
import SweepStore
import SweepTestSupport
import Testing

/// Runs of an `executor_type` configuration (issue 14): schedulers never claim them; an executor claims only its
/// own user's runs of its own type, lower priority first, with the scheduler claim's lease and attempt.
@Suite(.serialized) struct ExecutorClaimTests {
    let url: String
    let database: Database
    let driver: StoreDriver

    init() throws {
        url = try TestDatabase.fresh()
        database = Database(url: url, maxConnections: 4)
        driver = try StoreDriver(url: url)
    }

    func executorWorkflow(_ id: String, type: String, priority: Int, runs: Int) -> String {
        """
        {"workflow_id": "\(id)", "tasks": [
          {"id": "a", "execution_configurations": [{"executor_type": "\(type)", "function": "f", "args": [1], "priority": \(priority)}],
           "successors": [], "properties": {"position": "start", "multiplicity": \(runs)}}]}
        """
    }

    func assign(_ tenant: TestTenant, type: String, limit: Int) throws -> [ExecutorStore.Assignment] {
        try ExecutorStore.assign(driver.connection, userID: tenant.userID, executorID: "ex_test", type: type, limit: limit,
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
}
