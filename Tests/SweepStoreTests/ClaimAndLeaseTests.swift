import Foundation
import Postgres
import SweepJSON
import SweepStore
import SweepTestSupport
import Testing

/// The fair-share claim and the lease statements (renew, hand back, rescue), with the clock moved instead of waited.
@Suite(.serialized) struct ClaimAndLeaseTests: StoreSuite {
    let store: StoreFixture

    init() throws {
        store = try StoreFixture()
    }

    /// A user with `count` ready runs (one launch of a task with that multiplicity).
    func user(ready count: Int) throws -> (TestTenant, String) {
        let tenant = try TestTenant.create(database)
        try tenant.registerFunctions(["a"])
        try tenant.registerWorkflow(TestWorkflows.single("w", properties: #"{"position": "start", "multiplicity": \#(count)}"#))
        return (tenant, try tenant.launch("w"))
    }

    @Test func oneUsersBacklogDoesNotHoldBackAnotherUsersRun() throws {
        let (flood, _) = try user(ready: 200)
        let (single, _) = try user(ready: 1)
        let claimed = try driver.claim(limit: 10)
        #expect(claimed.count == 10, "the batch is filled")
        #expect(claimed.contains { $0.userID == single.userID.rawValue }, "the later user's run is in the first claim")
        #expect(claimed.filter { $0.userID == flood.userID.rawValue }.count == 9)
    }

    @Test func usersWithBacklogsShareABatchEqually() throws {
        let users = try (0..<3).map { _ in try user(ready: 50).0 }
        let claimed = try driver.claim(limit: 30)
        #expect(claimed.count == 30)
        for tenant in users {
            #expect(claimed.filter { $0.userID == tenant.userID.rawValue }.count == 10)
        }
    }

    @Test func aBatchSmallerThanTheUsersStillGivesEachUserATurnOverClaims() throws {
        let users = try (0..<6).map { _ in try user(ready: 5).0 }
        var seen = Set<Int64>()
        for _ in 0..<6 { seen.formUnion(try driver.claim(limit: 2).map(\.userID)) }
        #expect(seen.count == users.count, "every user got runs within a few claims")
    }

    @Test func withinAUserRunsAreClaimedOldestReadyFirst() throws {
        let (_, launch) = try user(ready: 5)
        let names = try driver.claim(limit: 5).map(\.name)
        #expect(names.count == 5)
        let ids = try driver.connection.query("SELECT name FROM task_runs WHERE launch_id = \(launch)::uuid ORDER BY ready_at, id")
            .map { try $0.decode(String.self, column: "name") }
        #expect(Set(names) == Set(ids))
    }

    @Test func concurrentClaimsNeverTakeTheSameRun() throws {
        _ = try user(ready: 60)
        _ = try user(ready: 60)
        let other = try StoreDriver(url: url, scheduler: "other-scheduler")
        let results = Mutex2()
        let group = DispatchGroup()
        for scheduler in [driver.scheduler, other.scheduler] {
            let url = url
            group.enter()
            Thread {
                defer { group.leave() }
                let own = try? StoreDriver(url: url, scheduler: scheduler)
                for _ in 0..<6 { results.append((try? own?.claim(limit: 10)) ?? []) }
            }.start()
        }
        group.wait()
        let all = results.values.map(\.id)
        #expect(all.count == 120 && Set(all).count == all.count)
    }

    @Test func renewedLeasesOutliveTheOriginalLease() throws {
        let (_, _) = try user(ready: 1)
        let run = try driver.claim()[0]
        let later = Date().addingTimeInterval(25)
        try driver.connection.execute(TaskRunSQL.renewLeases.query([
            "ids": [run.id].postgresBind, "scheduler": driver.scheduler.postgresBind, "lease": 30.postgresBind, "now": later.postgresBind,
            "held": 5.0.postgresBind,
        ]))
        let rescued = try driver.connection.query(TaskRunSQL.rescue.query(["now": Date().addingTimeInterval(40).postgresBind, "batch": 100.postgresBind]))
        #expect(rescued.isEmpty, "the lease runs to 55 s from now")
        let renewedByOther = try driver.connection.execute(TaskRunSQL.renewLeases.query([
            "ids": [run.id].postgresBind, "scheduler": "someone-else".postgresBind, "lease": 30.postgresBind, "now": Date?.none.postgresBind,
            "held": 0.0.postgresBind,
        ]))
        #expect(renewedByOther == 0, "only the lease holder renews")
    }

    @Test func aLeaseHeldLessThanTheGivenTimeIsNotRewritten() throws {
        let (_, _) = try user(ready: 1)
        let run = try driver.claim()[0]
        func renew(at now: Date) throws -> Int {
            try driver.connection.execute(TaskRunSQL.renewLeases.query([
                "ids": [run.id].postgresBind, "scheduler": driver.scheduler.postgresBind, "lease": 30.postgresBind,
                "now": now.postgresBind, "held": 5.0.postgresBind,
            ]))
        }
        #expect(try renew(at: Date().addingTimeInterval(2)) == 0, "claimed 2 s ago: its lease still has 28 s")
        #expect(try renew(at: Date().addingTimeInterval(8)) == 1, "held 8 s: renewed")
        let rescued = try driver.connection.query(TaskRunSQL.rescue.query(["now": Date().addingTimeInterval(35).postgresBind, "batch": 100.postgresBind]))
        #expect(rescued.isEmpty, "the renewed lease runs to 38 s from now")
    }

    @Test func anExpiredLeaseIsRescuedWithItsAttemptCountedAndItsEvent() throws {
        let (tenant, launch) = try user(ready: 1)
        let run = try driver.claim()[0]
        let early = try driver.connection.query(TaskRunSQL.rescue.query(["now": Date().addingTimeInterval(20).postgresBind, "batch": 100.postgresBind]))
        #expect(early.isEmpty, "the lease has 10 s left")
        let rescued = try driver.connection.query(TaskRunSQL.rescue.query(["now": Date().addingTimeInterval(31).postgresBind, "batch": 100.postgresBind]))
        #expect(rescued.count == 1)
        let runs = try tenant.runs(launch)
        #expect(runs["a_A"]?.state == "scheduled" || runs.values.first?.state == "scheduled")
        #expect(try tenant.events(launch).last == "task.retrying \(run.name)")
        let again = try driver.claim(now: Date().addingTimeInterval(31))
        #expect(again.map(\.id) == [run.id] && again[0].attempt == 2, "claimed again at the next attempt")
        let stale = try driver.complete(launch, [driver.success(run)])
        #expect(stale == 0, "the first attempt's late result is fenced out")
    }

    @Test func aRunOutOfAttemptsIsReportedNotRequeued() throws {
        let (_, launch) = try user(ready: 1)
        var now = Date()
        var run = try driver.claim(now: now)[0]
        for _ in 1..<3 {
            now = now.addingTimeInterval(31)
            _ = try driver.connection.query(TaskRunSQL.rescue.query(["now": now.postgresBind, "batch": 100.postgresBind]))
            run = try driver.claim(now: now)[0]
        }
        #expect(run.attempt == 3)
        now = now.addingTimeInterval(31)
        #expect(try driver.connection.query(TaskRunSQL.rescue.query(["now": now.postgresBind, "batch": 100.postgresBind])).isEmpty)
        let out = try driver.connection.query(TaskRunSQL.expiredOutOfAttempts.query(["now": now.postgresBind, "batch": 100.postgresBind]))
        #expect(out.count == 1)
        #expect(try out[0].decode(Int.self, column: "attempt") == 3)
        _ = launch
    }

    @Test func aHandedBackRunIsScheduledAgainWithoutLosingAnAttempt() throws {
        let (tenant, launch) = try user(ready: 1)
        let run = try driver.claim()[0]
        let returned = try driver.connection.execute(TaskRunSQL.handBack.query([
            "ids": [run.id].postgresBind, "scheduler": driver.scheduler.postgresBind, "now": Date?.none.postgresBind,
        ]))
        #expect(returned == 1)
        let row = try driver.connection.query("SELECT state, attempt, max_attempts, claimed_by FROM task_runs WHERE id = \(run.id)")[0]
        #expect(try row.decode(String.self, column: "state") == "scheduled")
        #expect(try row.decode(Int.self, column: "max_attempts") == 4, "the attempt it used is given back")
        #expect(try row.decode(String?.self, column: "claimed_by") == nil)
        #expect(try driver.claim().map(\.id) == [run.id])
        _ = (tenant, launch)
    }
}

/// Results collected from threads.
final class Mutex2: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var stored: [StoreDriver.Claimed] = []
    func append(_ items: [StoreDriver.Claimed]) { lock.lock(); stored += items; lock.unlock() }
    var values: [StoreDriver.Claimed] { lock.lock(); defer { lock.unlock() }; return stored }
}
