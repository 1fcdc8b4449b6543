import Foundation
import Postgres
import SweepJSON
import SweepModel

/// Moves one launch forward. Used inside a transaction that holds the launch's row lock (`LaunchRecord.lock`), by
/// the API (creating and cancelling launches) and by schedulers (completions, rescues): run states, the predecessor
/// count-down, scatter expansion through the planner, admission under max_task_concurrency, failure propagation,
/// the end of the launch, and the events of all of it. Counters live on the launch row and are written once, by
/// `flush()`.
public final class LaunchProgression {
    let connection: PostgresConnection
    public private(set) var launch: LaunchRecord
    let plan: LaunchPlan
    private var planner: Planner { plan.planner }
    private var events: [EventDraft] = []
    private var madeClaimable = 0
    /// Events were appended by statements of this transaction (besides `events`).
    private var wroteEvents = false

    public init(connection: PostgresConnection, launch: LaunchRecord, plan: LaunchPlan) {
        self.connection = connection
        self.launch = launch
        self.plan = plan
    }

    private var launchID: String { launch.id }

    /// Runs a statement that joins `rows` JSON records to task_runs. Statistics of a table filled moments ago say
    /// "one pending row", and the planner then re-parses the whole JSON parameter for every table row (a nested
    /// loop: 4,000 replicas took 6 s). Large batches forbid that plan for the one statement; a hash join is linear.
    private func bulk<T>(_ rows: Int, _ body: () throws -> T) throws -> T {
        guard rows > Self.bulkThreshold else { return try body() }
        try connection.execute("SET LOCAL enable_nestloop = off")
        let result = try body()
        try connection.execute("SET LOCAL enable_nestloop = on")
        return result
    }

    static let bulkThreshold = 200
    private var view: ReplicaCounts { ReplicaCounts(launch.replicaCounts) }

    // MARK: - Entry points

    /// Creates the runs that exist at launch and schedules those with no predecessors.
    public func start() throws {
        try insert(planner.start().runs)
    }

    /// Records executor results (fenced: a stale attempt changes nothing) and moves the launch on.
    /// Returns how many completions were accepted.
    @discardableResult
    public func complete(_ completions: [RunCompletion]) throws -> Int {
        guard !launch.isTerminal else {
            // A cancelled launch keeps no late results; its runs were already closed.
            return 0
        }
        var accepted = 0
        let successes = completions.compactMap(\.successRecord)
        if !successes.isEmpty {
            // One round trip: record the results, append their events, and count down their successors; answers
            // how many were accepted and which successors are now ready.
            let row = try bulk(successes.count) { try connection.query("""
                WITH results AS (
                    SELECT * FROM jsonb_to_recordset(\(JSONValue.array(successes))::jsonb) AS r(\(unsafeSQL: RunCompletion.successColumns))
                ), \(unsafeSQL: RunCompletion.recordSuccesses), counted AS (
                    UPDATE task_runs t SET waiting_on = t.waiting_on - c.n
                    FROM (SELECT s AS name, count(*)::int AS n FROM done, unnest(done.successors) AS s GROUP BY s) AS c
                    WHERE t.launch_id = \(launchID)::uuid AND t.name = c.name AND t.state = 'pending'
                    RETURNING t.name, t.waiting_on
                )
                SELECT (SELECT count(*)::int FROM done) AS accepted,
                       ARRAY(SELECT name FROM counted WHERE waiting_on = 0) AS ready
                """)[0] }
            let count = try row.decode(Int.self, column: "accepted")
            accepted += count
            launch.openRuns -= count
            launch.activeRuns -= count
            launch.finishedRuns += count
            if count > 0 { wroteEvents = true }
            try makeReady(try row.decode([String].self, column: "ready"))
        }
        for completion in completions {
            guard case .failed(let message) = completion.outcome else { continue }
            let rows = try connection.query("""
                UPDATE task_runs SET state = 'failed', error = \(message), logs = \(completion.logs), finished_at = \(completion.finishedAt),
                       lease_expires_at = NULL, claimed_by = NULL, progress_token_hash = NULL
                WHERE id = \(completion.runID) AND launch_id = \(launchID)::uuid AND state = 'running' AND attempt = \(completion.attempt)
                RETURNING name, successors
                """)
            guard let row = rows.first else { continue }
            accepted += 1
            let name = try row.decode(String.self, column: "name")
            events.append(EventDraft(type: "task.failed", runName: name, data: ["state": "failed", "error": .string(message)]))
            launch.openRuns -= 1
            launch.activeRuns -= 1
            launch.finishedRuns += 1
            launch.failedRuns += 1
            try markUpstreamFailed(try row.decode([String].self, column: "successors"))
        }
        try releaseThrottled()
        return accepted
    }

    /// Cancels the launch: nothing new starts, runs not finished become cancelled. False when it had already ended.
    public func cancel() throws -> Bool {
        guard !launch.isTerminal else { return false }
        let rows = try connection.query("""
            UPDATE task_runs SET state = 'cancelled', finished_at = now(), lease_expires_at = NULL, claimed_by = NULL, throttled = false,
                   progress_token_hash = NULL
            WHERE launch_id = \(launchID)::uuid AND state IN ('pending', 'scheduled', 'running')
            RETURNING name, kind
            """)
        for row in rows where try row.decode(String.self, column: "kind") == "task" {
            launch.finishedRuns += 1
            events.append(EventDraft(type: "task.failed", runName: try row.decode(String.self, column: "name"), data: ["state": "cancelled"]))
        }
        launch.openRuns = 0
        launch.activeRuns = 0
        launch.state = "cancelled"
        events.append(EventDraft(type: "launch.cancelled", data: ["state": "cancelled"]))
        try connection.notify(channel: SchedulerChannels.cancel, payload: launchID)
        return true
    }

    /// Writes counters, state and the remaining events, and sends the notifications, in one statement; ends the
    /// launch when nothing can run any more. Returns how many runs became claimable since the last flush.
    @discardableResult
    public func flush() throws -> Int {
        var output: JSONValue? = nil
        var ended = launch.state == "cancelled"
        if launch.openRuns == 0, !launch.isTerminal {
            launch.state = launch.failedRuns > 0 ? "failed" : "succeeded"
            output = try sinkOutputs()
            events.append(EventDraft(type: "launch.\(launch.state)", data: ["state": .string(launch.state)]))
            ended = true
        }
        var counts: [String: JSONValue] = [:]
        for (gate, count) in launch.replicaCounts { counts[gate] = .int(Int64(count)) }
        let notifyEvents = wroteEvents || !events.isEmpty
        try connection.query("""
            WITH updated AS (
                UPDATE launches SET state = \(launch.state), replica_counts = \(JSONValue.object(counts))::jsonb,
                       open_runs = \(launch.openRuns), active_runs = \(launch.activeRuns), total_runs = \(launch.totalRuns),
                       finished_runs = \(launch.finishedRuns), failed_runs = \(launch.failedRuns),
                       finished_at = CASE WHEN \(ended) THEN coalesce(finished_at, clock_timestamp()) ELSE finished_at END,
                       output = coalesce(\(output)::jsonb, output)
                WHERE id = \(launchID)::uuid
                RETURNING 1
            ), logged AS (
                INSERT INTO events (user_id, launch_id, run_name, type, data)
                SELECT \(launch.userID), \(launchID)::uuid, e.value->>'run', e.value->>'type',
                       (e.value->'data') || jsonb_build_object('ts', \(unsafeSQL: EventSQL.timestamp))
                FROM jsonb_array_elements(\(EventWriter.rows(launchID: launchID, events))::jsonb) WITH ORDINALITY AS e(value, n)
                ORDER BY e.n
            )
            SELECT CASE WHEN \(notifyEvents) THEN pg_notify(\(EventWriter.channel), \(launchID)) END,
                   CASE WHEN \(madeClaimable > 0) THEN pg_notify(\(SchedulerChannels.ready), '') END,
                   CASE WHEN \(ended) THEN pg_notify(\(SchedulerChannels.launchDone), \(launchID)) END
            """)
        events.removeAll()
        wroteEvents = false
        defer { madeClaimable = 0 }
        return madeClaimable
    }

    // MARK: - Runs

    /// Inserts planned runs with their predecessor count-down, links them into their predecessors' successor
    /// lists, and moves on those that are ready at once (or can never run). A run whose predecessors already all
    /// succeeded and that simply executes is inserted `scheduled`, with its input: a scatter of 20,000 replicas is
    /// one INSERT, not an INSERT and an UPDATE of every row.
    func insert(_ specs: [RunSpec]) throws {
        guard !specs.isEmpty else { return }
        let records = try predecessorRecords(Set(specs.flatMap(\.predecessors)))
        let memo = ScatterMemo()
        // What a run executes is the same for every run of a task without its own command or environment: sent
        // once per task, not once per replica (20,000 copies of it were a third of a wide scatter's JSON).
        var sharedExec: [String: JSONValue] = [:]
        let rows: [JSONValue] = specs.map { spec in
            var row: [String: JSONValue] = [
                "name": .string(spec.name), "task_id": .string(spec.taskID), "kind": .string(spec.kind.rawValue),
                "path": .array(spec.replicaPath.map { .int(Int64($0)) }), "preds": .array(spec.predecessors.map(JSONValue.string)),
                "delay": .int(Int64(spec.delaySeconds)),
                "waiting": .int(Int64(spec.predecessors.filter { records[$0]?.succeeded != true }.count)),
            ]
            if spec.kind == .task, spec.predecessors.allSatisfy({ records[$0]?.succeeded == true }),
               case .execute(let runInput) = planner.prepare(spec, predecessors: spec.predecessors.compactMap { records[$0]?.record },
                                                             launchInput: plan.input, in: view, memo: memo) {
                row.merge(admit(spec, runInput)) { _, new in new }
                if runInput.environment == nil, runInput.command == nil {
                    if sharedExec[spec.taskID] == nil { sharedExec[spec.taskID] = row["exec"] }
                    row["exec"] = nil
                    row["shared_exec"] = true
                }
            }
            return .object(row)
        }
        let inserted = try connection.query("""
            WITH ins AS (
                INSERT INTO task_runs (launch_id, user_id, name, task_id, kind, replica_path, predecessors, delay_seconds, waiting_on,
                                       state, input, exec, static_output, throttled, ready_at)
                SELECT \(launchID)::uuid, \(launch.userID), r.name, r.task_id, r.kind, r.path, r.preds, r.delay, r.waiting,
                       CASE WHEN r.input IS NULL THEN 'pending' ELSE 'scheduled' END, r.input,
                       CASE WHEN r.shared_exec THEN \(JSONValue.object(sharedExec))::jsonb -> r.task_id ELSE r.exec END,
                       nullif(r.static_output, 'null'::jsonb), coalesce(r.throttled, false),
                       CASE WHEN r.input IS NOT NULL THEN now() + make_interval(secs => r.delay) END
                FROM jsonb_to_recordset(\(JSONValue.array(rows))::jsonb)
                     AS r(name text, task_id text, kind text, path int[], preds text[], delay int, waiting int,
                          input jsonb, exec jsonb, shared_exec boolean, static_output jsonb, throttled boolean)
                RETURNING id, launch_id, name, task_id, delay_seconds, user_id, state, waiting_on
            ), logged AS (
                INSERT INTO events (user_id, launch_id, run_name, type, data)
                SELECT user_id, \(launchID)::uuid, name, 'task.scheduled', \(unsafeSQL: Self.scheduledEventData)
                FROM ins WHERE state = 'scheduled' ORDER BY id
            )
            SELECT name, waiting_on, state FROM ins
            """)
        launch.openRuns += specs.count
        launch.totalRuns += specs.filter { $0.kind == .task }.count
        if inserted.contains(where: { (try? $0.decode(String.self, column: "state")) == "scheduled" }) { wroteEvents = true }

        var successorsOf: [String: JSONValue] = [:]
        for spec in specs {
            for predecessor in spec.predecessors {
                if case .array(var list) = successorsOf[predecessor] ?? .array([]) {
                    list.append(.string(spec.name))
                    successorsOf[predecessor] = .array(list)
                }
            }
        }
        if !successorsOf.isEmpty {
            try bulk(successorsOf.count) { try connection.execute("""
                UPDATE task_runs t SET successors = t.successors || ARRAY(SELECT jsonb_array_elements_text(m.value))
                FROM jsonb_each(\(JSONValue.object(successorsOf))::jsonb) AS m
                WHERE t.launch_id = \(launchID)::uuid AND t.name = m.key
                """) }
        }
        // A run planned after one of its predecessors already failed can never run (only possible once something
        // failed; index probes per name keep this linear).
        let doomed = launch.failedRuns == 0 ? [] : try connection.query("""
            SELECT DISTINCT n.name FROM unnest(\(specs.map(\.name))::text[]) AS n(name)
            JOIN task_runs r ON r.launch_id = \(launchID)::uuid AND r.name = n.name AND r.state = 'pending'
            JOIN LATERAL unnest(r.predecessors) AS pn(name) ON true
            JOIN task_runs p ON p.launch_id = r.launch_id AND p.name = pn.name AND p.state IN ('failed', 'upstream_failed', 'cancelled')
            """).map { try $0.decode(String.self, column: "name") }
        if !doomed.isEmpty { try markUpstreamFailed(doomed) }
        let doomedSet = Set(doomed)
        var ready: [String] = []
        for row in inserted where try row.decode(String.self, column: "state") == "pending" && row.decode(Int.self, column: "waiting_on") == 0 {
            let name = try row.decode(String.self, column: "name")
            if !doomedSet.contains(name) { ready.append(name) }
        }
        try makeReady(ready)
    }

    /// The `task.scheduled` event's data, from a row with name, task_id and delay_seconds.
    static let scheduledEventData = """
        jsonb_build_object('launch_id', launch_id::text, 'run_id', name, 'state', 'scheduled', 'task_id', task_id,
                           'delay_seconds', delay_seconds, 'ts', \(EventSQL.timestamp))
        """

    /// Existing runs that new runs name as predecessors: their records for the planner, and whether they succeeded.
    private func predecessorRecords(_ names: Set<String>) throws -> [String: (record: RunRecord, succeeded: Bool)] {
        guard !names.isEmpty else { return [:] }
        var records: [String: (record: RunRecord, succeeded: Bool)] = [:]
        for row in try connection.query("""
            SELECT name, task_id, replica_path, output, state FROM task_runs
            WHERE launch_id = \(launchID)::uuid AND name = ANY(\(Array(names)))
            """) {
            let name = try row.decode(String.self, column: "name")
            records[name] = (RunRecord(
                name: name, taskID: try row.decode(String.self, column: "task_id"),
                replicaPath: try row.decode([Int64].self, column: "replica_path").map(Int.init),
                output: try row.decode(JSONValue?.self, column: "output") ?? .object([:])),
                try row.decode(String.self, column: "state") == "succeeded")
        }
        return records
    }

    /// A run that executes: its input, what to run, and whether max_task_concurrency holds it back. Counts it as
    /// active (claimable) unless held back.
    private func admit(_ spec: RunSpec, _ runInput: RunInput) -> [String: JSONValue] {
        let throttled = launch.maxConcurrency.map { launch.activeRuns >= $0 } ?? false
        if !throttled {
            launch.activeRuns += 1
            // Delayed runs notify too: idle schedulers recompute when to wake.
            madeClaimable += 1
        }
        return ["input": runInput.input, "exec": plan.execPlan(spec.taskID, runInput),
                "static_output": runInput.staticOutput ?? .null, "throttled": .bool(throttled)]
    }

    /// Counts down the given successors (one entry per finished predecessor); returns those now ready.
    private func countDown(_ successors: [String]) throws -> [String] {
        guard !successors.isEmpty else { return [] }
        return try connection.query("""
            UPDATE task_runs t SET waiting_on = t.waiting_on - c.n
            FROM (SELECT s AS name, count(*)::int AS n FROM unnest(\(successors)::text[]) AS s GROUP BY s) AS c
            WHERE t.launch_id = \(launchID)::uuid AND t.name = c.name AND t.state = 'pending'
            RETURNING t.name, t.waiting_on
            """).compactMap { row in
                try row.decode(Int.self, column: "waiting_on") == 0 ? try row.decode(String.self, column: "name") : nil
            }
    }

    /// Runs whose predecessors all succeeded: the planner decides their input (scheduled), their replica count
    /// (scatter gates expand), or their failure.
    private func makeReady(_ names: [String]) throws {
        guard !names.isEmpty else { return }
        let rows = try connection.query("""
            SELECT id, name, task_id, replica_path, kind, predecessors, delay_seconds FROM task_runs
            WHERE launch_id = \(launchID)::uuid AND name = ANY(\(names)) AND state = 'pending'
            ORDER BY id
            """)
        var specs: [(id: Int64, spec: RunSpec)] = []
        var predecessorNames = Set<String>()
        for row in rows {
            let spec = RunSpec(
                name: try row.decode(String.self, column: "name"),
                taskID: try row.decode(String.self, column: "task_id"),
                replicaPath: try row.decode([Int64].self, column: "replica_path").map(Int.init),
                kind: RunSpec.Kind(rawValue: try row.decode(String.self, column: "kind")) ?? .task,
                predecessors: try row.decode([String].self, column: "predecessors"),
                delaySeconds: try row.decode(Int.self, column: "delay_seconds"))
            specs.append((try row.decode(Int64.self, column: "id"), spec))
            predecessorNames.formUnion(spec.predecessors)
        }
        let records = try predecessorRecords(predecessorNames)

        var scheduled: [JSONValue] = []
        let memo = ScatterMemo()
        for (id, spec) in specs {
            let predecessors = spec.predecessors.compactMap { records[$0]?.record }
            switch planner.prepare(spec, predecessors: predecessors, launchInput: plan.input, in: view, memo: memo) {
            case .execute(let runInput):
                var row = admit(spec, runInput)
                row["id"] = .int(id)
                scheduled.append(.object(row))
            case .expand(let count):
                try expand(gateID: id, gate: spec, count: count)
            case .fail(let error):
                try failPending(id: id, name: spec.name, message: error.description)
            }
        }
        if !scheduled.isEmpty {
            try bulk(scheduled.count) { try connection.execute("""
                WITH ready AS (
                    -- ready_at from the transaction's now(): the claim at the end of this transaction (ready_at <=
                    -- now()) must see a successor scheduled here, or claim-in-place silently never happens.
                    UPDATE task_runs t SET state = 'scheduled', input = r.input, exec = r.exec, throttled = r.throttled,
                           static_output = CASE WHEN r.static_output = 'null'::jsonb THEN NULL ELSE r.static_output END,
                           ready_at = now() + make_interval(secs => t.delay_seconds)
                    FROM jsonb_to_recordset(\(JSONValue.array(scheduled))::jsonb) AS r(id bigint, input jsonb, exec jsonb, static_output jsonb, throttled boolean)
                    WHERE t.id = r.id AND t.state = 'pending'
                    RETURNING t.id, t.launch_id, t.name, t.task_id, t.delay_seconds, t.user_id
                )
                INSERT INTO events (user_id, launch_id, run_name, type, data)
                SELECT user_id, \(launchID)::uuid, name, 'task.scheduled', \(unsafeSQL: Self.scheduledEventData)
                FROM ready ORDER BY id
                """) }
            wroteEvents = true
        }
    }

    /// A scatter gate decided its replica count: record it, close the gate, and insert what the count creates.
    private func expand(gateID: Int64, gate: RunSpec, count: Int) throws {
        launch.replicaCounts[gate.name] = count
        let rows = try connection.query("""
            UPDATE task_runs SET state = 'succeeded', output = \(JSONValue.object(["replicas": .int(Int64(count))]))::jsonb, finished_at = clock_timestamp()
            WHERE id = \(gateID) AND state = 'pending' RETURNING successors
            """)
        launch.openRuns -= 1
        events.append(EventDraft(type: "task.expanded", runName: gate.name, data: [
            "task_id": .string(gate.taskID), "replicas": .int(Int64(count)),
        ]))
        try insert(planner.expand(gate: gate, replicaCount: count, in: view).runs)
        if let row = rows.first {
            try makeReady(try countDown(try row.decode([String].self, column: "successors")))
        }
    }

    /// A run that fails before executing (deploy condition false, scatter not a list, an expression error).
    private func failPending(id: Int64, name: String, message: String) throws {
        let rows = try connection.query("""
            UPDATE task_runs SET state = 'failed', error = \(message), finished_at = now()
            WHERE id = \(id) AND state = 'pending' RETURNING successors, kind
            """)
        guard let row = rows.first else { return }
        launch.openRuns -= 1
        launch.failedRuns += 1
        if try row.decode(String.self, column: "kind") == "task" { launch.finishedRuns += 1 }
        events.append(EventDraft(type: "task.failed", runName: name, data: ["state": "failed", "error": .string(message)]))
        try markUpstreamFailed(try row.decode([String].self, column: "successors"))
    }

    /// Marks the given runs and everything downstream of them that has not run `upstream_failed`.
    private func markUpstreamFailed(_ seeds: [String]) throws {
        guard !seeds.isEmpty else { return }
        let rows = try connection.query("""
            WITH RECURSIVE down(name) AS (
                SELECT unnest(\(seeds)::text[])
                UNION
                SELECT unnest(t.successors) FROM task_runs t JOIN down d ON t.name = d.name WHERE t.launch_id = \(launchID)::uuid
            ), victims AS (
                SELECT id, (state = 'scheduled' AND NOT throttled) AS was_active FROM task_runs
                WHERE launch_id = \(launchID)::uuid AND name IN (SELECT name FROM down) AND state IN ('pending', 'scheduled')
                FOR UPDATE
            )
            UPDATE task_runs t SET state = 'upstream_failed', finished_at = now(), throttled = false
            FROM victims v WHERE t.id = v.id
            RETURNING t.name, t.kind, v.was_active
            """)
        for row in rows {
            launch.openRuns -= 1
            if try row.decode(Bool.self, column: "was_active") { launch.activeRuns -= 1 }
            if try row.decode(String.self, column: "kind") == "task" {
                launch.finishedRuns += 1
                events.append(EventDraft(type: "task.failed", runName: try row.decode(String.self, column: "name"), data: ["state": "upstream_failed"]))
            }
        }
    }

    /// Frees held-back runs while the launch is under its max_task_concurrency.
    private func releaseThrottled() throws {
        guard let limit = launch.maxConcurrency, launch.activeRuns < limit else { return }
        let released = try connection.execute("""
            UPDATE task_runs SET throttled = false
            WHERE id IN (SELECT id FROM task_runs WHERE launch_id = \(launchID)::uuid AND state = 'scheduled' AND throttled
                         ORDER BY id LIMIT \(limit - launch.activeRuns) FOR UPDATE)
            """)
        launch.activeRuns += released
        madeClaimable += released
    }

    /// The launch's output: each succeeded run without successors, by run id.
    private func sinkOutputs() throws -> JSONValue {
        var outputs: [String: JSONValue] = [:]
        for row in try connection.query("""
            SELECT name, output FROM task_runs
            WHERE launch_id = \(launchID)::uuid AND kind = 'task' AND state = 'succeeded' AND cardinality(successors) = 0
            """) {
            outputs[try row.decode(String.self, column: "name")] = try row.decode(JSONValue?.self, column: "output") ?? .null
        }
        return .object(outputs)
    }
}
