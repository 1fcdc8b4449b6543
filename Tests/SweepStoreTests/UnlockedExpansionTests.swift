import Foundation
import Postgres
import SweepJSON
import SweepStore
import SweepTestSupport
import Testing

/// Chunks of a chunked expansion inserted without the launch's row lock (`continueExpansionUnlocked`), on a real
/// PostgreSQL: the chunk counts its runs claimable by a relative update taken last, leaves the last chunk (and any
/// chunk that would move other runs) to the locked path, and is rolled back when the launch ended meanwhile.
/// Widths exceed the default chunks (256 first, doubling up to 2,000 later) so the launch has chunks that are not its last.
@Suite(.serialized) struct UnlockedExpansionTests: StoreSuite {
    let store: StoreFixture
    static let width = LaunchProgression.firstChunk + LaunchProgression.laterChunk + 100

    init() throws {
        store = try StoreFixture()
    }

    func wideLaunch() throws -> (TestTenant, String) {
        let tenant = try TestTenant.create(database)
        try tenant.registerFunctions(["a"])
        try tenant.registerWorkflow(TestWorkflows.single("w", properties: #"{"position": "start", "multiplicity": \#(Self.width)}"#))
        return (tenant, try tenant.launch("w"))
    }

    func cursor(_ id: String) throws -> Int? {
        try driver.connection.query("SELECT next_offset FROM launch_expansions WHERE launch_id = \(id)::uuid").first?.decode(Int.self, column: "next_offset")
    }

    func inserted(_ id: String) throws -> Int {
        try driver.value(Int.self, "SELECT count(*)::int FROM task_runs WHERE launch_id = \(id)::uuid")
    }

    /// One unlocked chunk, as the scheduler's `Expander` runs it, with `record` as the launch it read.
    func unlockedChunk(_ id: String, record: LaunchRecord? = nil) throws -> Bool? {
        try driver.connection.transaction { connection in
            guard let launch = try record ?? LaunchRecord.read(connection, id: id), let plan = try LaunchPlan.load(connection, launchID: id) else {
                throw TestFailure("no launch \(id)")
            }
            return try LaunchProgression(connection: connection, launch: launch, plan: plan).continueExpansionUnlocked()
        }
    }

    func lockedChunk(_ id: String) throws -> Bool {
        try driver.connection.transaction { connection in
            guard let launch = try LaunchRecord.lock(connection, id: id), let plan = try LaunchPlan.load(connection, launchID: id) else {
                throw TestFailure("no launch \(id)")
            }
            let progression = LaunchProgression(connection: connection, launch: launch, plan: plan)
            let done = try progression.continueExpansion()
            try progression.flush()
            return done
        }
    }

    @Test func aMiddleChunkIsInsertedWithoutTheLockAndCountedActive() throws {
        let (t, id) = try wideLaunch()
        let first = LaunchProgression.firstChunk
        #expect(try cursor(id) == first && inserted(id) == first)
        // Chunks double up to the later size (`chunkEnd`); every one but the last goes in without the lock.
        var next = first
        while LaunchProgression.chunkEnd(next: next, total: Self.width) < Self.width {
            #expect(try unlockedChunk(id) == true)
            next = LaunchProgression.chunkEnd(next: next, total: Self.width)
            #expect(try cursor(id) == next && inserted(id) == next)
            // Every inserted run is claimable, and counted so, beside the totals the first chunk counted.
            let active = try driver.value(Int.self, "SELECT active_runs FROM launches WHERE id = \(id)::uuid")
            #expect(active == next)
        }
        #expect(next > first + LaunchProgression.firstChunk, "more than one chunk went in without the lock")
        #expect(LaunchProgression.chunkEnd(next: first, total: Self.width) == 2 * first,
                "the chunk after the first is the first's size (the whole list is planned before it)")
        // The last chunk ends the cursor: it takes the lock.
        #expect(try unlockedChunk(id) == nil && cursor(id) == next, "nothing written")
        #expect(try lockedChunk(id))
        #expect(try cursor(id) == nil && inserted(id) == Self.width)
        let counters = try driver.counters(id)
        #expect(counters.written == [Self.width, Self.width, Self.width, 0, 0] && counters.written == counters.counted)
        // Replicas at launch are announced one by one (`task.scheduled`), whichever path inserted them.
        #expect(try t.events(id).count == Self.width)
        try driver.drain(rounds: Self.width / 100 + 5)
        #expect(try t.summary(id).state == "succeeded")
        let ended = try driver.counters(id)
        #expect(ended.written == [0, 0, Self.width, Self.width, 0] && ended.written == ended.counted)
    }

    @Test func aChunkOfALaunchCancelledMeanwhileIsRolledBack() throws {
        let (t, id) = try wideLaunch()
        // The launch as a chunk read it, before a cancel committed.
        let stale = try #require(try LaunchRecord.read(driver.connection, id: id))
        #expect(try t.tenant { try LaunchStore($0).cancel(id: id) } == true)
        #expect(throws: LaunchEndedMidChunk.self) { try unlockedChunk(id, record: stale) }
        let first = LaunchProgression.firstChunk
        #expect(try cursor(id) == first && inserted(id) == first, "the chunk rolled back with its cursor")
        #expect(try t.runs(id).values.allSatisfy { $0.state == "cancelled" }, "no run of the chunk can be claimed")
        // Read afresh, the launch is ended: the chunk leaves it to the locked path, which ends the cursor.
        #expect(try unlockedChunk(id) == nil)
        #expect(try lockedChunk(id))
        #expect(try cursor(id) == nil && inserted(id) == first)
        #expect(try driver.claim().isEmpty)
    }
}
