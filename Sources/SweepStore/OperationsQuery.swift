import Foundation
import Postgres
import SweepStates

/// The database reads behind `/readyz` and `/metrics`. Each is bounded: by an index that holds few entries
/// (running runs), by a row limit, or by a statement timeout, so a scrape can never become a load problem.
public struct OperationsQuery {
    /// Longest a scrape's aggregate may run before it is given up (the metric is then left out, not wrong).
    public static let statementTimeout = "2s"

    let connection: PostgresConnection

    public init(_ connection: PostgresConnection) {
        self.connection = connection
    }

    /// Migration versions recorded as applied (empty when the table does not exist yet).
    public func appliedMigrations() throws -> Set<Int> {
        let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
            .first.map { try $0.decode(Bool.self, column: "present") } ?? false
        guard exists else { return [] }
        return Set(try connection.query("SELECT version FROM schema_migrations").map { try $0.decode(Int.self, column: "version") })
    }

    /// Stored task runs per state (succeeded scatter gates are bookkeeping and not counted), read from the
    /// (launch_id, task_id, state, id) INCLUDE (kind, user_id) index without touching the heap for all-visible pages.
    public func runsByState() throws -> [(state: String, count: Int)] {
        try connection.transaction { connection in
            try connection.simpleQuery(unsafeSQL: "SET LOCAL statement_timeout = '\(Self.statementTimeout)'")
            return try connection.query("""
                SELECT state, count(*) AS n FROM task_runs WHERE kind = \(unsafeSQL: RunKind.task.sql) OR state <> \(unsafeSQL: RunState.succeeded.sql) GROUP BY state
                """).map { (try $0.decode(String.self, column: "state"), try $0.decode(Int.self, column: "n")) }
        }
    }

    /// Running runs per user, through the partial index of running leases (as many entries as runs running).
    public func runningByUser() throws -> [(username: String, count: Int)] {
        try connection.query("""
            SELECT u.username, r.n FROM (
                SELECT user_id, count(*) AS n FROM task_runs WHERE state = \(unsafeSQL: RunState.running.sql) GROUP BY user_id
            ) r JOIN users u ON u.id = r.user_id ORDER BY u.username
            """).map { (try $0.decode(String.self, column: "username"), try $0.decode(Int.self, column: "n")) }
    }

    /// Runs started after `since` and at least `settle` seconds ago (a claim's transaction may commit a moment
    /// after its start time), oldest first, at most `limit`: each start is one claim, with its wait from ready to
    /// started. `through` is where the next call should continue.
    public func startsSince(_ since: Date?, settleSeconds: Double = 1, limit: Int = 20_000)
        throws -> (waits: [Double], through: Date)
    {
        let rows = try connection.query("""
            SELECT started_at, greatest(0, extract(epoch FROM started_at - coalesce(ready_at, created_at)))::float8 AS wait,
                   now() - make_interval(secs => \(settleSeconds)) AS horizon
            FROM task_runs
            WHERE started_at > coalesce(\(since)::timestamptz, now() - make_interval(secs => \(settleSeconds)))
              AND started_at <= now() - make_interval(secs => \(settleSeconds))
            ORDER BY started_at LIMIT \(limit)
            """)
        if rows.isEmpty {
            let horizon = try connection.query("SELECT now() - make_interval(secs => \(settleSeconds)) AS horizon")
                .first.map { try $0.decode(Date.self, column: "horizon") } ?? Date()
            return ([], since.map { max($0, horizon) } ?? horizon)
        }
        let waits = try rows.map { try $0.decode(Double.self, column: "wait") }
        // A full page stops at its last start, so the next scrape continues there instead of skipping the rest.
        let through = rows.count == limit
            ? try rows[rows.count - 1].decode(Date.self, column: "started_at")
            : try rows[0].decode(Date.self, column: "horizon")
        return (waits, through)
    }
}
