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

    /// `head` with a `LaunchJSONCache` answers the texts it answers without one: a large input from the cache once
    /// read, and an output only while the launch row is the version it was read from (here a changed output, as a
    /// rerun and a new end write it, is read afresh, and a small one is never kept).
    @Test func headKeepsLargeTextsAndRereadsAChangedOutput() throws {
        let tenant = try TestTenant.create(database)
        try tenant.registerFunctions(["a"])
        try tenant.registerWorkflow(TestWorkflows.single("w"))
        let input: JSONValue = ["items": .array((0..<3_000).map { .int(Int64($0)) })]
        let launchID = try tenant.launch("w", input: input)
        let cache = LaunchJSONCache()
        func head(_ cache: LaunchJSONCache?) throws -> (input: JSONValue, output: String) {
            let head = try #require(try tenant.tenant { try LaunchStatusQuery($0).head(launchID: launchID, cache: cache) })
            return (try JSONParser.parse(head.input), String(decoding: head.output, as: UTF8.self))
        }
        func setOutput(_ sql: String) throws {
            try driver.connection.execute("UPDATE launches SET output = \(unsafeSQL: sql) WHERE id = \(launchID)::uuid")
        }
        let first = try head(cache)
        #expect(first.input == input && first.output == "null")
        #expect(try head(cache).input == input, "the kept input")
        try setOutput("(SELECT jsonb_object_agg('r' || n, n) FROM generate_series(1, 2000) AS n)")
        let large = try head(cache)
        #expect(large.output == (try head(nil)).output && large.output.contains("\"r2000\": 2000"))
        #expect(try head(cache).output == large.output, "the kept output, the row unchanged")
        try setOutput("(SELECT jsonb_object_agg('s' || n, n) FROM generate_series(1, 2000) AS n)")
        let changed = try head(cache)
        #expect(changed.output.contains("\"s2000\": 2000") && !changed.output.contains("r2000"), "a changed output is read afresh")
        try setOutput("'{\"small\": true}'::jsonb")
        #expect(try head(cache).output == #"{"small": true}"#)
        #expect(try head(cache).input == input)
    }
}
