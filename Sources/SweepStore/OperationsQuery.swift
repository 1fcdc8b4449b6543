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

    /// Stored task runs per state (succeeded scatter gates are bookkeeping and not counted), one
    /// aggregate over the table (a sequential scan, or an index-only scan of task_runs_launch_idx, which holds state
    /// and kind: whichever the planner finds cheaper), bounded by the statement timeout.
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

    /// Runs started since event `after` (a `task.started` event id; nil on the first scrape, which only finds where
    /// to start), oldest first, at most `limit`: each start is one claim, with its wait from ready to started.
    /// `through` is the event id the next call should continue after. Read from the events every claim appends, by
    /// primary key, rather than from an index of `started_at`: that BRIN index cost every run version a revmap
    /// probe and, in summarised ranges, a WAL record (10 buffer accesses and 0.7 WAL records per run of a 20,000-run
    /// scatter, issue 17), while a scrape reads only what happened since the last one. Events younger than `settle`
    /// seconds (their transaction's start) stop the read: a claim may commit a moment after its events took their ids,
    /// so ids below a younger event may still appear.
    public func startsSince(_ after: Int64?, settleSeconds: Double = 1, limit: Int = 20_000)
        throws -> (waits: [Double], through: Int64)
    {
        guard let after else {
            let start = try connection.query("""
                SELECT coalesce(max(id), 0) AS id FROM events WHERE created_at <= now() - make_interval(secs => \(settleSeconds))
                """)
            return ([], try start.first.map { try $0.decode(Int64.self, column: "id") } ?? 0)
        }
        let cut = try connection.query("""
            SELECT coalesce((SELECT min(id) - 1 FROM events WHERE id > \(after) AND created_at > now() - make_interval(secs => \(settleSeconds))),
                            (SELECT max(id) FROM events), \(after)) AS id
            """)[0].decode(Int64.self, column: "id")
        guard cut > after else { return ([], after) }
        let rows = try connection.query("""
            SELECT e.id, greatest(0, extract(epoch FROM t.started_at - coalesce(t.ready_at, t.created_at)))::float8 AS wait
            FROM events e JOIN task_runs t ON t.launch_id = e.launch_id AND t.name = e.run_name
            WHERE e.id > \(after) AND e.id <= \(cut) AND e.type = \(unsafeSQL: EventType.taskStarted.sql)
            ORDER BY e.id LIMIT \(limit)
            """)
        let waits = try rows.map { try $0.decode(Double.self, column: "wait") }
        // A full page stops at its last start, so the next scrape continues there instead of skipping the rest.
        let through = rows.count == limit ? try rows[rows.count - 1].decode(Int64.self, column: "id") : cut
        return (waits, through)
    }
}
