import Foundation
import Postgres
import SweepJSON
import SweepStore
import SweepTestSupport
import Testing

/// How `LaunchStatusQuery` reaches PostgreSQL, on a real one.
@Suite(.serialized) struct LaunchStatusQueryTests: StoreSuite {
    let store: StoreFixture

    init() throws {
        store = try StoreFixture()
    }

    /// Pins the fix behind `firstRuns`' `plannedEachTime`: a pooled connection's cached generic plan, made while its
    /// launches were small, once kept a 100,000-run launch's status busy for 30 s. The connection's statement cache
    /// prepares a statement on its second run and PostgreSQL switches to a generic plan after five executions, so
    /// more than that many calls on one connection must leave no prepared statement of it behind.
    @Test func firstRunsIsPlannedOnEachCallNeverPrepared() throws {
        let tenant = try TestTenant.create(database)
        try tenant.registerFunctions(["a"])
        try tenant.registerWorkflow(TestWorkflows.single("w", properties: #"{"position": "start", "multiplicity": 3}"#))
        let launchID = try tenant.launch("w")
        // One transaction holds one connection: prepared statements belong to the session, so this is the pooled
        // connection's cache as later requests would find it.
        let (answers, firstRuns, counts) = try tenant.tenant { tx -> ([Int?], Int, Int) in
            let query = LaunchStatusQuery(tx)
            var answers: [Int?] = []
            let head = try #require(try query.head(launchID: launchID))
            for _ in 0..<7 { answers.append(try JSONParser.parse(query.firstRuns(launchID: launchID, head: head).json).arrayValue?.count) }
            // The control: a statement without the flag, run twice on the same connection, is prepared.
            for _ in 0..<2 { _ = try query.taskCounts(launchID: launchID) }
            func prepared(_ fragment: String) throws -> Int {
                try tx.connection.query("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE \(fragment)")[0]
                    .decode(Int.self, column: "n")
            }
            return (answers, try prepared("%finished_at, predecessors, successors%FROM task_runs%"), try prepared("%GROUP BY task_id, state%"))
        }
        #expect(answers == Array(repeating: 3, count: 7), "each call answered the launch's three runs")
        #expect(counts == 1, "the connection's statement cache is on (else the check below proves nothing)")
        #expect(firstRuns == 0, "firstRuns was prepared: a cached generic plan can outlive the launch sizes it was made for")
    }
}
