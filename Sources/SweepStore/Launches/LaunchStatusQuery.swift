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

    /// The launch row's part of its status (`LaunchStatusHead`), in one statement: the summary, the input and
    /// output as JSON text (from `cache` when it has them: PostgreSQL is then not asked to write them), and the
    /// label, description and type of the tasks that have them, from the launch's definition snapshot (a later
    /// version of the workflow does not relabel an old launch).
    /// The input was once read from a copy of the row with input and output cleared (`jsonb_populate_record`) beside
    /// both as text: that copy detoasted the whole row, and the output was written twice, 3.2 ms of a 10,000-run
    /// launch's status where this takes 0.4 with both texts kept (3.4 without: they are most of it).
    public func head(launchID: String, cache: LaunchJSONCache? = nil) throws -> LaunchStatusHead? {
        guard UUIDText.isValid(launchID) else { return nil }
        let keptInput = cache?.input(launchID: launchID)
        let keptOutput = cache?.output(launchID: launchID)
        guard let row = try tx.connection.query("""
            SELECT \(unsafeSQL: LaunchSummary.columnsWithoutOutput), v.row_version,
                   CASE WHEN \(keptInput != nil) THEN NULL ELSE coalesce(input::text, 'null') END AS input_json,
                   v.row_version = \(keptOutput?.version) IS TRUE AS output_kept,
                   CASE WHEN v.row_version = \(keptOutput?.version) THEN NULL ELSE coalesce(output::text, 'null') END AS output_json,
                   texts.task_ids, texts.extras
            FROM launches l,
                 -- the row's version (LaunchJSONCache)
                 LATERAL (SELECT l.xmin::text || '/' || l.ctid::text AS row_version) AS v,
                 LATERAL (
                SELECT array_agg(t.value->>'id') AS task_ids,
                       array_agg(jsonb_strip_nulls(jsonb_build_object('label', t.value->'properties'->>'label',
                                                                      'description', t.value->'properties'->>'description',
                                                                      -- a waiting kind (timer, signal, workflow): the page offers a signal's button
                                                                      'type', t.value->>'type'))::text) AS extras
                FROM jsonb_array_elements(l.definition->'tasks') AS t(value)
                WHERE t.value->>'id' IS NOT NULL
                  AND ((jsonb_typeof(t.value->'properties') = 'object' AND (t.value->'properties' ? 'label' OR t.value->'properties' ? 'description'))
                       OR t.value ? 'type')
            ) AS texts
            WHERE l.user_id = \(tx.userID) AND l.id = \(launchID)::uuid
            """).first else { return nil }
        let summary = try LaunchSummary(row)
        var taskTexts: [String: [UInt8]] = [:]
        if let ids = try row.decode([String]?.self, column: "task_ids"), let extras = try row.decode([String]?.self, column: "extras") {
            for (id, extra) in zip(ids, extras) { taskTexts[id] = Array(extra.utf8) }
        }
        let input: [UInt8]
        if let keptInput {
            input = keptInput
        } else {
            input = row.bytes(column: "input_json") ?? Array("null".utf8)
            cache?.keepInput(launchID: launchID, input)
        }
        let output: [UInt8]
        if let keptOutput, try row.decode(Bool.self, column: "output_kept") {
            output = keptOutput.text
        } else {
            output = row.bytes(column: "output_json") ?? Array("null".utf8)
            cache?.keepOutput(launchID: launchID, version: try row.decode(String.self, column: "row_version"), output)
        }
        return LaunchStatusHead(summary: summary, input: input, output: output, taskTexts: taskTexts)
    }

    /// The first runs (API.md's task run shape, written by the page: `FirstRunsPage`), and whether more exist.
    /// One index walk in run order (`= ANY`: the type's comment) of plain columns, which `FirstRunsJSON` splices in
    /// place: JSON parts as PostgreSQL wrote them, timestamps rewritten to RFC 3339, edges to hidden runs
    /// (`hiddenRuns`, asked only when the page has edges) left out, and the task's label, description and type from
    /// `head`. PostgreSQL once rendered the whole array (json_build_object per run, 0.7 us of CPU per key), then
    /// each cell's text in a statement that also found the hidden runs and the task texts (CTEs, a join and a sort:
    /// 7.6 ms for 1,001 runs of a 10,000-run launch, 2.4 of them to_char's timestamps); this one takes about 3.5.
    ///
    /// Planned on each execution (`plannedEachTime`): a pooled connection's cached generic plan,
    /// made while its earlier launches were small, once kept a 100,000-run launch's status busy for 30 s and more on
    /// that connection while another answered in 0.3 s (test_browser_large_launch.py after test_browser.py).
    public func firstRuns(launchID: String, head: LaunchStatusHead) throws -> FirstRunsPage {
        let rows = try tx.connection.query(("""
            -- `= ANY` and `ORDER BY launch_id, id`: the type's comment.
            SELECT name, task_id, state, attempt, \(unsafeSQL: RunInputSQL.input("task_runs")) AS input, output, error, created_at, started_at,
                   finished_at, predecessors, successors, ready_at
            FROM task_runs
            WHERE user_id = \(tx.userID) AND launch_id = ANY(ARRAY[\(launchID)::uuid]) AND (kind = \(unsafeSQL: RunKind.task.sql) OR state <> \(unsafeSQL: RunState.succeeded.sql))
            ORDER BY launch_id, id LIMIT \(Self.firstPageSize + 1)
            """ as PostgresQuery).plannedEachTime())
        let shown = rows.prefix(Self.firstPageSize)
        var edges: [(predecessors: [String], successors: [String])] = []
        edges.reserveCapacity(shown.count)
        var names = Set<String>()
        for row in shown {
            let predecessors = try row.decode([String].self, at: FirstRunsJSON.Column.predecessors.rawValue)
            let successors = try row.decode([String].self, at: FirstRunsJSON.Column.successors.rawValue)
            names.formUnion(predecessors)
            names.formUnion(successors)
            edges.append((predecessors, successors))
        }
        let hidden = try hiddenRuns(launchID: launchID, named: names)
        return FirstRunsPage(rows: shown, edges: edges, hidden: hidden, taskTexts: head.taskTexts, truncated: rows.count > Self.firstPageSize)
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

    /// Which of the names on `runs`' edges the API never shows (succeeded scatter gates).
    public func hiddenRuns(launchID: String, among runs: [TaskRunRecord]) throws -> Set<String> {
        var names = Set<String>()
        for run in runs {
            names.formUnion(run.predecessors)
            names.formUnion(run.successors)
        }
        return try hiddenRuns(launchID: launchID, named: names)
    }

    /// Which of `names` the API never shows (succeeded scatter gates), looked up by (launch_id, name): the
    /// edges of one page name few runs, where the launch may have thousands of gates. No statement for no names.
    func hiddenRuns(launchID: String, named names: Set<String>) throws -> Set<String> {
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
