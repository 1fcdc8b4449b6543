import Postgres
import SweepStore
import SweepTestSupport
import Testing

/// `Database.tenantIfFree`: a second tenant transaction beside one the caller holds, never waiting for a connection.
@Suite(.serialized) struct TenantIfFreeTests: StoreSuite {
    let store: StoreFixture

    init() throws {
        store = try StoreFixture()
    }

    func launchCount(_ tx: TenantTransaction) throws -> Int {
        try tx.connection.query("SELECT count(*)::int AS n FROM launches")[0].decode(Int.self, column: "n")
    }

    @Test func runsInTheTenantsScopeBesideATransactionItHolds() throws {
        let mine = try TestTenant.create(database)
        let other = try TestTenant.create(database, prefix: "o")
        for tenant in [mine, other] {
            try tenant.registerFunctions(["a"])
            try tenant.registerWorkflow(TestWorkflows.single("w"))
            _ = try tenant.launch("w")
        }
        let (outer, beside) = try mine.tenant { tx in
            (try launchCount(tx), try database.tenantIfFree(mine.userID) { try launchCount($0) })
        }
        // Row-level security holds on the second connection: the other tenant's launch is not counted.
        #expect(outer == 1 && beside == 1)
    }

    @Test func answersNilWithoutRunningTheBodyWhenNoConnectionIsFree() throws {
        let mine = try TestTenant.create(database)
        var ran = false
        // The fixture's pool has 4 connections: hold them all, one transaction inside the other.
        let answer = try mine.tenant { _ in
            try mine.tenant { _ in
                try mine.tenant { _ in
                    try mine.tenant { _ in try database.tenantIfFree(mine.userID) { _ in ran = true } }
                }
            }
        }
        #expect(answer == nil && !ran)
        // Free again once they are given back.
        #expect(try database.tenantIfFree(mine.userID) { _ in true } == true)
    }
}
