import Foundation
import Postgres
import SweepStore
import SweepTestSupport
import Testing

/// `/metrics`' claims and queue waits, counted from the `task.started` events after the last one counted
/// (`OperationsQuery.startsSince`, migration 0027 dropped the BRIN index of started_at it read before).
@Suite(.serialized) struct RunStartCountTests: StoreSuite {
    let store: StoreFixture

    init() throws {
        store = try StoreFixture()
    }

    func launch(ready count: Int) throws {
        let tenant = try TestTenant.create(database)
        try tenant.registerFunctions(["a"])
        try tenant.registerWorkflow(TestWorkflows.single("w", properties: #"{"position": "start", "multiplicity": \#(count)}"#))
        _ = try tenant.launch("w")
    }

    @Test func eachStartIsCountedOnceAfterTheFirstScrape() throws {
        try launch(ready: 3)
        let query = OperationsQuery(driver.connection)
        let (none, start) = try query.startsSince(nil, settleSeconds: 0)
        #expect(none.isEmpty, "the first scrape only finds where to start")
        #expect(try driver.claim(limit: 3).count == 3)
        let (waits, through) = try query.startsSince(start, settleSeconds: 0)
        #expect(waits.count == 3 && waits.allSatisfy { $0 >= 0 })
        #expect(through > start)
        let (again, still) = try query.startsSince(through, settleSeconds: 0)
        #expect(again.isEmpty && still == through, "nothing is counted twice")
    }

    @Test func startsYoungerThanTheSettleTimeWaitForALaterScrape() throws {
        try launch(ready: 2)
        let query = OperationsQuery(driver.connection)
        let (_, start) = try query.startsSince(nil, settleSeconds: 0)
        #expect(try driver.claim(limit: 2).count == 2)
        let (early, held) = try query.startsSince(start, settleSeconds: 3600)
        #expect(early.isEmpty && held == start, "a claim may still commit below these ids: not yet")
        let (later, _) = try query.startsSince(held, settleSeconds: 0)
        #expect(later.count == 2)
    }

    @Test func aFullPageStopsAtItsLastStart() throws {
        try launch(ready: 3)
        let query = OperationsQuery(driver.connection)
        let (_, start) = try query.startsSince(nil, settleSeconds: 0)
        #expect(try driver.claim(limit: 3).count == 3)
        let (first, through) = try query.startsSince(start, settleSeconds: 0, limit: 2)
        #expect(first.count == 2)
        let (rest, _) = try query.startsSince(through, settleSeconds: 0, limit: 2)
        #expect(rest.count == 1, "the page's last start is where the next continues")
    }
}
