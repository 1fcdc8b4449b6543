import Foundation
import Postgres
import SweepStates

/// The reads behind a launch's status and its run pages, shaped for launches of any size (API.md "Large launches"):
/// the first `firstPageSize` runs, per-task state counts from an index-only aggregate, and keyset pages of runs by
/// task and state. Every statement here reads through task_runs_launch_idx (launch_id, id, task_id, state, kind,
/// user_id; migration 0028) or the (launch_id, name) key, and none grows with the launch except the counts, which
/// read index entries only, and a filter on a task with few runs, which walks the launch's index entries (never the
/// heap) to find them. Writes to runs live elsewhere (the run transitions).
///
/// Every page of runs names its launch as `launch_id = ANY(ARRAY[$1])` and is ordered `BY launch_id, id`, which is
/// the same rows in the same order as `launch_id = $1 ... ORDER BY id`, but only task_runs_launch_idx delivers that
/// order. With `launch_id = $1`, the launch is a constant to the planner, `ORDER BY id` alone remains, and the primary
/// key delivers it: the planner then walked the primary key from the start of the table, filtering by launch, as
/// if the launch's runs were spread evenly over the table. They are not: the first page of a 10,000-run launch
/// created after 250,000 other runs read all of them (82-100 ms, 16,000 buffers, branch idx), a state filter on a
/// 100,000-run launch took 57 ms. A `= ANY` condition is no equality to the planner, so `launch_id` stays in the
/// sort order, which the primary key cannot give without sorting every run of the launch: every page walks the
/// launch's index entries in id order (1 ms for a first page of 1,001 runs wherever the launch lies).
public struct LaunchStatusQuery {
    /// How many runs a launch's status lists before it says `tasks_truncated`.
    public static let firstPageSize = 1_000

    /// A run with its row id, which orders pages (the cursor of `/runs`).
    public struct PagedRun: Sendable {
        public let rowID: Int64
        public let run: TaskRunRecord
    }

    let tx: TenantTransaction

    public init(_ tx: TenantTransaction) {
        self.tx = tx
    }

    /// The launch's summary with `input` and `output` left out of it, and those two as JSON text: a scatter's input
    /// is often a list of thousands of elements, and parsing it only to serialise it again was the largest cost
    /// left in a status answer. The summary's own columns come from `LaunchSummary.columns`, over a copy of the row
    /// whose input and output are null (so columns added to launches later are there too).
    public func summaryWithRawInputOutput(launchID: String) throws -> (summary: LaunchSummary, input: [UInt8], output: [UInt8])? {
        guard UUIDText.isValid(launchID) else { return nil }
        guard let row = try tx.connection.query("""
            SELECT \(unsafeSQL: LaunchSummary.columns),
                   coalesce((original).input::text, 'null') AS input_json, coalesce((original).output::text, 'null') AS output_json
            FROM (SELECT l AS original, cleared.*
                  FROM launches l, LATERAL jsonb_populate_record(l, '{"input": null, "output": null}'::jsonb) AS cleared
                  WHERE l.user_id = \(tx.userID) AND l.id = \(launchID)::uuid) AS launch
            """).first else { return nil }
        return (try LaunchSummary(row), Array(try row.decode(String.self, column: "input_json").utf8),
                Array(try row.decode(String.self, column: "output_json").utf8))
    }

    /// The first runs as a JSON array (API.md's task run shape), and whether more exist. PostgreSQL writes each
    /// cell's text (JSON parts as JSON, timestamps in RFC 3339) and `FirstRunsJSON` splices them in place. PostgreSQL
    /// once rendered the whole array (json_build_object per run), but at about 0.7 us of CPU per key that was 8 ms
    /// of a 10,000-run launch's status, and `sweep_rfc3339`, not inlined until migration 0023, another 8.
    ///
    /// Planned on each execution (`plannedEachTime`): a pooled connection's cached generic plan,
    /// made while its earlier launches were small, once kept a 100,000-run launch's status busy for 30 s and more on
    /// that connection while another answered in 0.3 s (test_browser_large_launch.py after test_browser.py).
    public func firstRuns(launchID: String) throws -> (json: [UInt8], truncated: Bool) {
        let rows = try tx.connection.query(("""
            WITH page AS (
                -- `= ANY` and `ORDER BY launch_id, id`: the type's comment.
                SELECT id, name, task_id, state, attempt, input, output, error, predecessors, successors,
                       created_at, started_at, finished_at
                FROM task_runs
                WHERE user_id = \(tx.userID) AND launch_id = ANY(ARRAY[\(launchID)::uuid]) AND (kind = \(unsafeSQL: RunKind.task.sql) OR state <> \(unsafeSQL: RunState.succeeded.sql))
                ORDER BY launch_id, id LIMIT \(Self.firstPageSize + 1)
            ), hidden AS (
                -- Edges to succeeded scatter gates (bookkeeping the API never shows) are left out. One array, so
                -- runs whose launch has none of them (most) keep their edges as they are.
                SELECT coalesce(array_agg(name), '{}') AS names FROM task_runs
                WHERE launch_id = \(launchID)::uuid AND user_id = \(tx.userID) AND kind = \(unsafeSQL: RunKind.scatter.sql) AND state = \(unsafeSQL: RunState.succeeded.sql)
                  AND name IN (SELECT unnest(predecessors || successors) FROM page)
            ), texts AS (
                -- v1.1 label and description, from the launch's definition snapshot (a later version of the workflow
                -- does not relabel an old launch); only tasks that have them carry them, and only those they have.
                SELECT t.value->>'id' AS task_id,
                       jsonb_strip_nulls(jsonb_build_object('label', t.value->'properties'->>'label',
                                                            'description', t.value->'properties'->>'description',
                                                            -- a waiting kind (timer, signal, workflow): the page offers a signal's button
                                                            'type', t.value->>'type')) AS extra
                FROM launches l, jsonb_array_elements(l.definition->'tasks') AS t(value)
                WHERE l.user_id = \(tx.userID) AND l.id = \(launchID)::uuid
                  AND ((jsonb_typeof(t.value->'properties') = 'object' AND (t.value->'properties' ? 'label' OR t.value->'properties' ? 'description'))
                       OR t.value ? 'type')
            )
            SELECT p.name, p.task_id, p.state, p.attempt, coalesce(p.input::text, 'null') AS input,
                   coalesce(p.output::text, 'null') AS output, p.error, sweep_rfc3339(p.created_at) AS created_at,
                   sweep_rfc3339(p.started_at) AS started_at, sweep_rfc3339(p.finished_at) AS finished_at,
                   array_to_json(CASE WHEN cardinality(h.names) = 0 THEN p.predecessors
                                      ELSE array(SELECT e FROM unnest(p.predecessors) e WHERE e <> ALL (h.names)) END)::text AS predecessors,
                   array_to_json(CASE WHEN cardinality(h.names) = 0 THEN p.successors
                                      ELSE array(SELECT e FROM unnest(p.successors) e WHERE e <> ALL (h.names)) END)::text AS successors,
                   x.extra::text AS extra
            FROM page p CROSS JOIN hidden h LEFT JOIN texts x ON x.task_id = p.task_id
            ORDER BY p.id
            """ as PostgresQuery).plannedEachTime())
        // Column order: FirstRunsJSON.Column.
        return (FirstRunsJSON.write(rows, limit: Self.firstPageSize), rows.count > Self.firstPageSize)
    }

    /// The id of the launch's newest event (0 when it has none), from the (launch_id, id) index: where the status page
    /// starts the event stream of a large launch instead of replaying its history (100,000 `task.waiting` events).
    /// Read before the runs and counts, so an event committed after this read is replayed rather than missed.
    /// `launch_id = ANY(ARRAY[…]) ORDER BY launch_id DESC, id DESC`: an order that (launch_id, id) gives and the
    /// primary key does not. With `max(id) … WHERE launch_id = …` the planner walked the primary key backward from
    /// the newest event of every user until it met one of this launch: 27-131 ms for a launch 80,000 events old,
    /// generic plan or not, on every status read of it.
    public func lastEventID(launchID: String) throws -> Int64 {
        try tx.connection.query("""
            SELECT coalesce((SELECT id FROM events WHERE launch_id = ANY(ARRAY[\(launchID)::uuid]) AND user_id = \(tx.userID)
                             ORDER BY launch_id DESC, id DESC LIMIT 1), 0) AS id
            """).first?.decode(Int64.self, column: "id") ?? 0
    }

    /// One aggregate over the launch's entries of task_runs_launch_idx (task_id, state, kind and user_id are in it): no
    /// heap row is read for pages the visibility map marks all-visible.
    public func taskCounts(launchID: String) throws -> [String: [String: Int]] {
        var counts: [String: [String: Int]] = [:]
        for row in try tx.connection.query("""
            SELECT task_id, state, count(*) AS n FROM task_runs
            WHERE launch_id = \(launchID)::uuid AND user_id = \(tx.userID) AND (kind = \(unsafeSQL: RunKind.task.sql) OR state <> \(unsafeSQL: RunState.succeeded.sql))
            GROUP BY task_id, state
            """) {
            counts[try row.decode(String.self, column: "task_id"), default: [:]][try row.decode(String.self, column: "state")] =
                try row.decode(Int.self, column: "n")
        }
        return counts
    }

    /// Which of `names` the API never shows (succeeded scatter gates), looked up by (launch_id, name): the
    /// edges of one page name few runs, where the launch may have thousands of gates.
    public func hiddenRuns(launchID: String, among runs: [TaskRunRecord]) throws -> Set<String> {
        var names = Set<String>()
        for run in runs {
            names.formUnion(run.predecessors)
            names.formUnion(run.successors)
        }
        guard !names.isEmpty else { return [] }
        return Set(try tx.connection.query("""
            SELECT name FROM task_runs
            WHERE launch_id = \(launchID)::uuid AND user_id = \(tx.userID) AND name = ANY(\(Array(names)))
              AND kind = \(unsafeSQL: RunKind.scatter.sql) AND state = \(unsafeSQL: RunState.succeeded.sql)
            """).map { try $0.decode(String.self, column: "name") })
    }

    /// The run named `name` (`2_AB`), found through (launch_id, name): how the status page finds one replica among
    /// 100,000 without listing them.
    public func run(launchID: String, named name: String) throws -> [PagedRun] {
        try tx.connection.query("""
            SELECT id, \(unsafeSQL: TaskRunRecord.columns) FROM task_runs
            WHERE launch_id = \(launchID)::uuid AND user_id = \(tx.userID) AND name = \(name) AND (kind = \(unsafeSQL: RunKind.task.sql) OR state <> \(unsafeSQL: RunState.succeeded.sql))
            """).map { PagedRun(rowID: try $0.decode(Int64.self, column: "id"), run: try TaskRunRecord($0)) }
    }

    /// Runs in id order after `afterRowID`, optionally of one task and in one state; `limit` rows at most. One
    /// statement per filter combination: a cached generic plan of `($1 OR task_id = $2)` could not use the index.
    /// Each walks the launch's entries of task_runs_launch_idx in id order (`= ANY`: the type's comment) and checks
    /// task and state in the index, so the heap is read only for the runs answered.
    public func runs(launchID: String, taskID: String?, state: String?, afterRowID: Int64, limit: Int) throws -> [PagedRun] {
        let rows: PostgresRows
        switch (taskID, state) {
        case (nil, nil):
            rows = try tx.connection.query("""
                SELECT id, \(unsafeSQL: TaskRunRecord.columns) FROM task_runs
                WHERE launch_id = ANY(ARRAY[\(launchID)::uuid]) AND user_id = \(tx.userID) AND (kind = \(unsafeSQL: RunKind.task.sql) OR state <> \(unsafeSQL: RunState.succeeded.sql))
                  AND id > \(afterRowID)
                ORDER BY launch_id, id LIMIT \(limit)
                """)
        case (let taskID?, nil):
            rows = try tx.connection.query("""
                SELECT id, \(unsafeSQL: TaskRunRecord.columns) FROM task_runs
                WHERE launch_id = ANY(ARRAY[\(launchID)::uuid]) AND user_id = \(tx.userID) AND (kind = \(unsafeSQL: RunKind.task.sql) OR state <> \(unsafeSQL: RunState.succeeded.sql))
                  AND task_id = \(taskID) AND id > \(afterRowID)
                ORDER BY launch_id, id LIMIT \(limit)
                """)
        case (nil, let state?):
            rows = try tx.connection.query("""
                SELECT id, \(unsafeSQL: TaskRunRecord.columns) FROM task_runs
                WHERE launch_id = ANY(ARRAY[\(launchID)::uuid]) AND user_id = \(tx.userID) AND (kind = \(unsafeSQL: RunKind.task.sql) OR state <> \(unsafeSQL: RunState.succeeded.sql))
                  AND state = \(state) AND id > \(afterRowID)
                ORDER BY launch_id, id LIMIT \(limit)
                """)
        case (let taskID?, let state?):
            rows = try tx.connection.query("""
                SELECT id, \(unsafeSQL: TaskRunRecord.columns) FROM task_runs
                WHERE launch_id = ANY(ARRAY[\(launchID)::uuid]) AND user_id = \(tx.userID) AND (kind = \(unsafeSQL: RunKind.task.sql) OR state <> \(unsafeSQL: RunState.succeeded.sql))
                  AND task_id = \(taskID) AND state = \(state) AND id > \(afterRowID)
                ORDER BY launch_id, id LIMIT \(limit)
                """)
        }
        return try rows.map { PagedRun(rowID: try $0.decode(Int64.self, column: "id"), run: try TaskRunRecord($0)) }
    }
}
