import Foundation
import Postgres
import SweepStore
import SweepTestSupport
import Testing

/// The per-user running cap in the fair claim (`TaskRunSQL.pickFairly`): a user's `user_limits.max_running_runs`,
/// else the default the scheduler passes; runs over it stay scheduled and are claimed as the user's runs end.
@Suite(.serialized) struct RunningCapTests: StoreSuite {
    let store: StoreFixture

    init() throws {
        store = try StoreFixture()
    }

    func user(ready count: Int) throws -> (TestTenant, String) {
        let tenant = try TestTenant.create(database)
        try tenant.registerFunctions(["a"])
        try tenant.registerWorkflow(TestWorkflows.single("w", properties: #"{"position": "start", "multiplicity": \#(count)}"#))
        return (tenant, try tenant.launch("w"))
    }

    func scheduled(_ launch: String) throws -> Int {
        try driver.value(Int.self, "SELECT count(*)::int AS n FROM task_runs WHERE launch_id = \(launch)::uuid AND state = 'scheduled'")
    }

    @Test func aUsersLimitCapsItsRunningRunsAndTheRestWaitsScheduled() throws {
        let (capped, cappedLaunch) = try user(ready: 10)
        let (other, _) = try user(ready: 10)
        try UserLimitStore.put(driver.connection, userID: capped.userID, UserLimits(maxRunningRuns: 3))

        let first = try driver.claim(limit: 20)
        #expect(first.filter { $0.userID == capped.userID.rawValue }.count == 3, "capped at its limit, not its fair share")
        #expect(first.filter { $0.userID == other.userID.rawValue }.count == 10, "the other user takes the share left over")
        #expect(try driver.claim(limit: 20).isEmpty, "at the cap nothing more is claimed")
        #expect(try scheduled(cappedLaunch) == 7, "the runs over the cap wait, none failed")

        // One run ends: room for exactly one more.
        let done = first.first { $0.userID == capped.userID.rawValue }!
        #expect(try driver.complete(cappedLaunch, [driver.success(done)]) == 1)
        let next = try driver.claim(limit: 20)
        #expect(next.count == 1 && next[0].userID == capped.userID.rawValue)
    }

    @Test func theDefaultCapAppliesToUsersWithoutALimitAndALimitOverridesIt() throws {
        let (plain, _) = try user(ready: 10)
        let (raised, _) = try user(ready: 10)
        try UserLimitStore.put(driver.connection, userID: raised.userID, UserLimits(maxRunningRuns: 6))
        let claimed = try driver.claim(limit: 20, defaultMaxRunningRuns: 2)
        #expect(claimed.filter { $0.userID == plain.userID.rawValue }.count == 2)
        #expect(claimed.filter { $0.userID == raised.userID.rawValue }.count == 6)
    }

    @Test func aCapOfZeroHoldsEveryRun() throws {
        let (held, heldLaunch) = try user(ready: 4)
        try UserLimitStore.put(driver.connection, userID: held.userID, UserLimits(maxRunningRuns: 0))
        #expect(try driver.claim(limit: 10).isEmpty)
        #expect(try scheduled(heldLaunch) == 4)
    }

    @Test func whileAnotherClaimHoldsTheLockOfAUserNearItsCapAClaimLeavesThatUser() throws {
        let (capped, _) = try user(ready: 10)
        let (other, _) = try user(ready: 10)
        try UserLimitStore.put(driver.connection, userID: capped.userID, UserLimits(maxRunningRuns: 3))
        let rival = try StoreDriver(url: url, scheduler: "rival")
        try rival.connection.transaction { connection in
            let held = try connection.query(TaskRunSQL.lockUsersNearCap.query([
                "limit": 10.postgresBind, "running_cap": LimitDefaults.defaultMaxRunningRuns.postgresBind,
            ]))[0].decode([Int64].self, column: "held")
            #expect(held == [capped.userID.rawValue], "only the user near its cap is locked")
            let claimed = try driver.claim(limit: 10)
            #expect(claimed.allSatisfy { $0.userID == other.userID.rawValue } && claimed.count == 10,
                    "the capped user is left to the claim holding its lock; the other user fills the batch")
        }
        #expect(try driver.claim(limit: 10).filter { $0.userID == capped.userID.rawValue }.count == 3)
    }
}
