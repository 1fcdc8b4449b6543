import Foundation
import Postgres
import SweepJSON
import SweepModel
import SweepStates

/// Moves one launch forward. Used inside a transaction that holds the launch's row lock (`LaunchRecord.lock`), by
/// the API (creating and cancelling launches) and by schedulers (completions, rescues): run states, the predecessor
/// count-down, scatter expansion through the planner, admission under max_task_concurrency, failure propagation,
/// the end of the launch, and the events of all of it. Its statements are `TaskRunSQL`'s and `LaunchSQL`'s; its
/// counters and launch state move through the launch's `LaunchLedger` and are written once, by `flush()`.
public final class LaunchProgression {
    let connection: PostgresConnection
    public internal(set) var launch: LaunchRecord
    let plan: LaunchPlan
    var planner: Planner { plan.planner }
    private var madeClaimable = 0
    /// Events were appended by statements of this transaction (besides `events`).
    private var wroteEvents = false
    /// Runs read as predecessors that had succeeded or were skipped (`predecessorRecords`).
    private var finishedRecords: [String: RunRecord] = [:]

    /// The time statements take as now; nil: the database's (tests move it).
    let now: Date?

    public init(connection: PostgresConnection, launch: LaunchRecord, plan: LaunchPlan, now: Date? = nil) {
        self.connection = connection
        self.launch = launch
        self.plan = plan
        self.now = now
    }

    private var launchID: String { launch.id }

    /// Binds a statement of `TaskRunSQL`/`LaunchSQL` with this launch, its user and the clock, plus `values`.
    func bound(_ template: SQLTemplate, _ values: [String: PostgresBind] = [:]) -> PostgresQuery {
        var all = values
        let inputs = template.inputs
        if inputs.contains("launch") { all["launch"] = launchID.postgresBind }
        if inputs.contains("user") { all["user"] = launch.userID.postgresBind }
        if inputs.contains("now") { all["now"] = now.postgresBind }
        return template.query(all)
    }

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
    var view: ReplicaCounts { ReplicaCounts(launch.replicaCounts) }

    // MARK: - Entry points

    /// Creates the runs that exist at launch and schedules those with no predecessors.
    public func start() throws {
        try insertExpanding(planner.start().runs, gate: nil)
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
        if let successes = RunCompletion.successRecords(completions) {
            // One round trip: record the results, append their events, and count down their successors; answers
            // how many were accepted and which successors are now ready.
            let successCount = completions.reduce(0) { if case .succeeded = $1.outcome { $0 + 1 } else { $0 } }
            let row = try bulk(successCount) { try connection.query(bound(Self.recordAndCountDown, [
                "results": successes.postgresBind,
            ]))[0] }
            let count = try row.decode(Int.self, column: "accepted")
            accepted += count
            launch.ledger.succeeded(count)
            if count > 0 { wroteEvents = true }
            if count == successCount { rememberRecorded(completions) }
            try makeReady(try row.decode([String].self, column: "ready"))
        }
        for completion in completions {
            guard case .failed(let message) = completion.outcome else { continue }
            if try retry(completion, message) { accepted += 1; continue }
            let rows = try connection.query(bound(TaskRunSQL.recordFailure, [
                "run": completion.runID.postgresBind, "attempt": completion.attempt.postgresBind, "message": message.postgresBind,
                "logs": completion.logs.postgresBind, "finished": completion.finishedAt.postgresBind,
            ]))
            guard let row = rows.first else { continue }
            accepted += 1
            launch.ledger.failed(run: try row.decode(String.self, column: "name"), message: message)
            try markUpstreamFailed(try row.decode([String].self, column: "successors"))
        }
        try releaseThrottled()
        return accepted
    }

    /// A task error with retries left (`RetryPolicy`): the run goes back to `scheduled`, ready after the policy's
    /// delay, with its `task.retrying` event (`TaskRunSQL.retry`, fenced by state and attempt). False when the error
    /// is final: no retries left, the executable said `retryable: false`, or PostgreSQL refused its output
    /// (`output_rejected`: the executable succeeded, and executing it again would repeat its side effects to
    /// produce the same refused output). A run that never started (deploy condition, expression) or was cancelled
    /// never comes here.
    private func retry(_ completion: RunCompletion, _ message: String) throws -> Bool {
        guard planner.retriesAnywhere, completion.retryable, !message.hasPrefix(RunCompletion.rejectedPrefix),
              let row = try connection.query(bound(TaskRunSQL.retryState, [
                  "run": completion.runID.postgresBind, "attempt": completion.attempt.postgresBind,
              ])).first
        else { return false }
        let policy = planner.retryPolicy(taskID: try row.decode(String.self, column: "task_id"))
        guard case .retry(let delay) = policy.decision(afterAttempt: try row.decode(Int.self, column: "charged"), failed: .execution(retryable: true))
        else { return false }
        let requeued = try connection.query(bound(TaskRunSQL.retry, [
            "run": completion.runID.postgresBind, "attempt": completion.attempt.postgresBind, "delay": delay.postgresBind,
            "message": message.postgresBind, "logs": completion.logs.postgresBind,
        ]))
        guard !requeued.isEmpty else { return false }
        // Still open and still active (scheduled, not held back); idle schedulers recompute when to wake.
        wroteEvents = true
        madeClaimable += 1
        return true
    }

    /// Fails runs `ids` of this launch that nothing started within their task's max_wait_time (`wait_timeout`),
    /// and what depends on them; the wait-time enforcer's transition. Returns how many failed.
    @discardableResult
    public func failUnstarted(_ ids: [RunRowID]) throws -> Int {
        guard !launch.isTerminal, !ids.isEmpty else { return 0 }
        let rows = try connection.query(bound(TaskRunSQL.failUnstarted, [
            "ids": ids.postgresBind, "message": Self.waitTimeoutMessage.postgresBind,
        ]))
        var successors: [String] = []
        for row in rows {
            launch.ledger.failedUnstarted(run: try row.decode(String.self, column: "name"), wasActive: try row.decode(Bool.self, column: "was_active"),
                                          message: Self.waitTimeoutMessage)
            successors += try row.decode([String].self, column: "successors")
        }
        try markUpstreamFailed(successors)
        try releaseThrottled()
        return rows.count
    }

    /// The error of a run failed by max_wait_time: its code first, as every run error.
    public static let waitTimeoutMessage = "wait_timeout: nothing started this run within its max_wait_time"

    /// Cancels the launch: nothing new starts, runs not finished become cancelled. False when it had already ended.
    public func cancel() throws -> Bool {
        guard !launch.isTerminal else { return false }
        let runs = try connection.query(bound(TaskRunSQL.cancel)).map { row in
            (name: try row.decode(String.self, column: "name"), kind: RunKind(rawValue: try row.decode(String.self, column: "kind")) ?? .task)
        }
        launch.ledger.cancelled(runs: runs)
        try connection.notify(channel: SchedulerChannels.cancel, payload: launchID)
        return true
    }

    /// Writes counters, state and the remaining events, and sends the notifications, in one statement; ends the
    /// launch when nothing can run any more. Returns how many runs became claimable since the last flush.
    @discardableResult
    public func flush() throws -> Int {
        var output: JSONValue? = nil
        let wasCancelled = launch.state == .cancelled
        let endsNow = launch.ledger.ended()
        if endsNow { output = try launchOutput() }
        var counts: [String: JSONValue] = [:]
        for (gate, count) in launch.replicaCounts { counts[gate] = .int(Int64(count)) }
        let events = launch.ledger.takeEvents()
        let ledger = launch.ledger
        try connection.query(bound(LaunchSQL.flush, [
            "state": ledger.state.rawValue.postgresBind, "replica_counts": JSONValue.object(counts).postgresBind,
            "open": ledger.openRuns.postgresBind, "active": ledger.activeRuns.postgresBind, "total": ledger.totalRuns.postgresBind,
            "finished": ledger.finishedRuns.postgresBind, "failed": ledger.failedRuns.postgresBind,
            "ended": (endsNow || wasCancelled).postgresBind, "output": output.postgresBind,
            "events": EventWriter.rows(launchID: launchID, events).postgresBind,
            "notify_events": (wroteEvents || !events.isEmpty).postgresBind, "claimable": (madeClaimable > 0).postgresBind,
        ]))
        wroteEvents = false
        if endsNow || wasCancelled { try announceChildEnd() }
        defer { madeClaimable = 0 }
        return madeClaimable
    }

    // MARK: - Runs

    /// Inserts planned runs with their predecessor count-down, links them into their predecessors' successor
    /// lists, and moves on those that are ready at once (or can never run). A run whose predecessors already all
    /// succeeded and that simply executes is inserted `scheduled`, with its input: a scatter of 20,000 replicas is
    /// one INSERT, not an INSERT and an UPDATE of every row.
    ///
    /// `links` (default: those of `specs` alone) are the edges of the list `specs` belong to: each run is inserted
    /// with its successors in that list, and only predecessors from before the list are updated. A successor
    /// named before it exists is harmless: a predecessor that finishes first counts down nothing, and the successor,
    /// inserted under the launch's lock (or only when its predecessors all succeeded), counts it as finished.
    ///
    /// With `onlyIfAllReady`, writes nothing and answers false unless every run is inserted scheduled (its
    /// predecessors all succeeded, it executes, and it is admitted): such a chunk moves no other run and no
    /// counter but active_runs (`continueExpansionUnlocked`).
    @discardableResult
    func insert(_ specs: [RunSpec], links: ExpansionLinks? = nil, countingRuns: Bool = true, scheduledEvents: Bool = true,
                onlyIfAllReady: Bool = false) throws -> Bool {
        guard !specs.isEmpty else { return true }
        let links = links ?? ExpansionLinks(specs)
        let records = try predecessorRecords(Set(specs.flatMap(\.predecessors)))
        var ready = 0
        let memo = ScatterMemo()
        // What a run executes is the same for every run of a task without its own command or environment: sent
        // once per task, not once per replica (20,000 copies of it were a third of a wide scatter's JSON).
        var sharedExec: [String: JSONValue] = [:]
        var templates = ReplicaTemplates()
        var rows = RunRows(capacity: specs.count * 160)
        for spec in specs {
            let waiting = spec.predecessors.reduce(0) { $0 + (records[$1]?.succeeded == true ? 0 : 1) }
            rows.begin(spec, waiting: waiting, successors: links.successors(of: spec.name))
            defer { rows.end() }
            // Waiting kinds (timer, signal, workflow) are inserted pending and enter `waiting` through `makeReady`.
            guard spec.kind == .task, waiting == 0, planner.isEnabled(taskID: spec.taskID), planner.waiting(taskID: spec.taskID) == nil
            else { continue }
            // A replica of a scatter whose preparation does not look at its element: its input stamped from the
            // template of its scatter (planned once per chunk), not prepared on its own.
            if let index = spec.replicaPath.last,
               let template = templates.template(for: spec, planning: {
                   planner.replicaTemplate(for: spec, predecessors: spec.predecessors.compactMap { records[$0]?.record },
                                           launchInput: plan.input, in: view, memo: memo)
               }), template.accepts(replica: index) {
                let throttled = admitted()
                if !throttled { ready += 1 }
                if sharedExec[spec.taskID] == nil { sharedExec[spec.taskID] = plan.execPlan(spec.taskID, template.shared) }
                rows.field("input") { template.writeInput(replica: index, to: &$0) }
                if template.splicesLaunchInput { rows.field("splice", true) }
                rows.field("shared_exec", true)
                rows.field("static_output", template.shared.staticOutput ?? .null)
                rows.field("throttled", .bool(throttled))
                continue
            }
            guard case .execute(let runInput) = planner.prepare(spec, predecessors: spec.predecessors.compactMap { records[$0]?.record },
                                                                launchInput: plan.input, in: view, memo: memo)
            else { continue }
            var row = admit(spec, runInput)
            if row["throttled"] == .bool(false) { ready += 1 }
            if runInput.environment == nil, runInput.command == nil {
                if sharedExec[spec.taskID] == nil { sharedExec[spec.taskID] = row["exec"] }
                // Input files computed per replica (contents_expr) make a run's plan its own.
                if runInput.files == nil || sharedExec[spec.taskID] == row["exec"] {
                    row["exec"] = nil
                    row["shared_exec"] = true
                }
            }
            for (key, value) in row { rows.field(key, value) }
        }
        if onlyIfAllReady, ready < specs.count { return false }
        let inserted = try connection.query(bound(TaskRunSQL.insertRuns, [
            "rows": rows.bind.postgresBind, "shared_exec": JSONValue.object(sharedExec).postgresBind,
            "scheduled_events": scheduledEvents.postgresBind,
        ]))
        let tasks = specs.filter { $0.kind == .task }.count
        if countingRuns { launch.ledger.inserted(tasks: tasks, gates: specs.count - tasks) }
        if inserted.contains(where: { (try? $0.decode(String.self, column: "state")) == RunState.scheduled.rawValue }) { wroteEvents = true }

        // Appended in place: copying a JSON array out of the dictionary to append one name copied it whole each
        // time (quadratic: with 2,000 replicas of one predecessor, most of a chunk's CPU in the profile). Only
        // runs from before the list: the list's own were inserted with theirs.
        var successorsOf: [String: [JSONValue]] = [:]
        for spec in specs {
            for predecessor in spec.predecessors where !links.contains(predecessor) {
                successorsOf[predecessor, default: []].append(.string(spec.name))
            }
        }
        if !successorsOf.isEmpty {
            let links = JSONValue.object(successorsOf.mapValues(JSONValue.array))
            _ = try bulk(successorsOf.count) { try connection.execute(bound(TaskRunSQL.linkSuccessors, ["links": links.postgresBind])) }
        }
        // A run planned after one of its predecessors already failed can never run (only possible once something
        // failed; index probes per name keep this linear).
        let doomed = launch.ledger.failedRuns == 0 ? [] : try connection.query(bound(TaskRunSQL.doomedRuns, ["names": specs.map(\.name).postgresBind]))
            .map { try $0.decode(String.self, column: "name") }
        if !doomed.isEmpty { try markUpstreamFailed(doomed) }
        let doomedSet = Set(doomed)
        var pending: [String] = []
        for row in inserted where try row.decode(String.self, column: "state") == RunState.pending.rawValue && row.decode(Int.self, column: "waiting_on") == 0 {
            let name = try row.decode(String.self, column: "name")
            if !doomedSet.contains(name) { pending.append(name) }
        }
        try makeReady(pending)
        return true
    }

    /// The outputs just recorded, as the records of those runs, when each is the one run of an unreplicated task
    /// (its replica path is then []): a gate that becomes ready now reads its predecessor's output from here rather
    /// than back from the table (a 20,000-element list read and parsed again, on the way to the first replica).
    private func rememberRecorded(_ completions: [RunCompletion]) {
        for completion in completions {
            guard case .succeeded(let output) = completion.outcome, let run = completion.identity, run.name == run.taskID,
                  planner.isUnreplicated(taskID: run.taskID) else { continue }
            finishedRecords[run.name] = RunRecord(name: run.name, taskID: run.taskID, replicaPath: [], output: output)
        }
    }

    /// Existing runs that new runs name as predecessors: their records for the planner, and whether they succeeded.
    /// Those that succeeded (or were skipped) are kept for the rest of the transaction, where they cannot change: a
    /// gate's expansion read its predecessor's output (20,000 elements) once to decide the count and again to
    /// insert the first chunk, on the path between that predecessor's end and its first replica's start.
    private func predecessorRecords(_ names: Set<String>) throws -> [String: (record: RunRecord, succeeded: Bool)] {
        guard !names.isEmpty else { return [:] }
        var records: [String: (record: RunRecord, succeeded: Bool)] = [:]
        var unknown: [String] = []
        for name in names {
            if let record = finishedRecords[name] { records[name] = (record, true) } else { unknown.append(name) }
        }
        guard !unknown.isEmpty else { return records }
        for row in try connection.query("""
            SELECT name, task_id, replica_path, output, state FROM task_runs
            WHERE launch_id = \(launchID)::uuid AND name = ANY(\(unknown))
            """) {
            let name = try row.decode(String.self, column: "name")
            let record = RunRecord(
                name: name, taskID: try row.decode(String.self, column: "task_id"),
                replicaPath: try row.decode([Int64].self, column: "replica_path").map(Int.init),
                output: try row.decode(JSONValue?.self, column: "output") ?? .object([:]))
            // A skipped run (enabled: false) lets its successors proceed, with output {}.
            let succeeded = [RunState.succeeded.rawValue, RunState.skipped.rawValue].contains(try row.decode(String.self, column: "state"))
            records[name] = (record, succeeded)
            if succeeded { finishedRecords[name] = record }
        }
        return records
    }

    /// Counts a run that executes as active (claimable), unless max_task_concurrency holds it back; answers whether
    /// it is held back (throttled).
    private func admitted() -> Bool {
        let throttled = !launch.ledger.hasRoom(under: launch.maxConcurrency)
        if !throttled {
            launch.ledger.admitted()
            // Delayed runs notify too: idle schedulers recompute when to wake.
            madeClaimable += 1
        }
        return throttled
    }

    /// A run that executes: its input (as stored: `splice` when it leaves out the launch's input), what to run, and
    /// whether max_task_concurrency holds it back. Counts it as active (claimable) unless held back.
    private func admit(_ spec: RunSpec, _ runInput: RunInput) -> [String: JSONValue] {
        let throttled = admitted()
        // Without the launch's input when it holds it unchanged (`Planner.storedInput`): readers splice it back.
        let stored = planner.storedInput(runInput, taskID: spec.taskID, launchInput: plan.input)
        return ["input": stored ?? runInput.input, "splice": .bool(stored != nil), "exec": plan.execPlan(spec.taskID, runInput),
                "static_output": runInput.staticOutput ?? .null, "throttled": .bool(throttled)]
    }

    /// Counts down the given successors (one entry per finished predecessor); returns those now ready.
    private func countDown(_ successors: [String]) throws -> [String] {
        guard !successors.isEmpty else { return [] }
        return try connection.query(bound(Self.countDownNames, ["names": successors.postgresBind])).compactMap { row in
            try row.decode(Int.self, column: "waiting_on") == 0 ? try row.decode(String.self, column: "name") : nil
        }
    }

    /// Records successes (`results` from `$results`) and counts down their successors, in one round trip: answers
    /// how many were accepted and which successors are now ready.
    static let recordAndCountDown = SQLTemplate("""
        WITH results AS (
            SELECT * FROM jsonb_to_recordset($results::jsonb) AS r(\(TaskRunSQL.resultColumns))
        ), \(TaskRunSQL.recordSuccesses), finished AS (
            SELECT unnest(successors) AS name FROM done
        ), \(TaskRunSQL.countDown)
        SELECT (SELECT count(*)::int FROM done) AS accepted, ARRAY(SELECT name FROM counted WHERE waiting_on = 0) AS ready
        """)

    /// Counts down the successors `$names` (one entry per finished predecessor).
    static let countDownNames = SQLTemplate("""
        WITH finished AS (SELECT unnest($names::text[]) AS name), \(TaskRunSQL.countDown)
        SELECT name, waiting_on FROM counted
        """)

    /// Runs whose predecessors all succeeded: the planner decides their input (scheduled), their replica count
    /// (scatter gates expand), or their failure.
    func makeReady(_ names: [String]) throws {
        guard !names.isEmpty else { return }
        let rows = try connection.query("""
            SELECT id, name, task_id, replica_path, kind, predecessors, delay_seconds, exec FROM task_runs
            WHERE launch_id = \(launchID)::uuid AND name = ANY(\(names)) AND state = \(unsafeSQL: RunState.pending.sql)
            ORDER BY id
            """)
        var specs: [(id: Int64, spec: RunSpec)] = []
        var predecessorNames = Set<String>()
        var childExecs: [Int64: JSONValue] = [:]
        for row in rows {
            let spec = RunSpec(
                name: try row.decode(String.self, column: "name"),
                taskID: try row.decode(String.self, column: "task_id"),
                replicaPath: try row.decode([Int64].self, column: "replica_path").map(Int.init),
                kind: RunKind(rawValue: try row.decode(String.self, column: "kind")) ?? .task,
                predecessors: try row.decode([String].self, column: "predecessors"),
                delaySeconds: try row.decode(Int.self, column: "delay_seconds"))
            specs.append((try row.decode(Int64.self, column: "id"), spec))
            predecessorNames.formUnion(spec.predecessors)
            if !planner.isWorkflowTask(spec.taskID) { childExecs[specs.last!.id] = try row.decode(JSONValue?.self, column: "exec") ?? .null }
        }
        let records = try predecessorRecords(predecessorNames)

        var scheduled: [JSONValue] = []
        var waiting: [JSONValue] = []
        let memo = ScatterMemo()
        for (id, spec) in specs {
            if spec.kind == .task, !planner.isEnabled(taskID: spec.taskID) {
                try skip(id: id)
                continue
            }
            let predecessors = spec.predecessors.compactMap { records[$0]?.record }
            if let exec = childExecs[id] {
                // A child added at run time (`addChildren`): resolved when added, its parent's output as input.
                launch.ledger.admitted()
                madeClaimable += 1
                scheduled.append(["id": .int(id), "exec": exec, "static_output": .null, "throttled": false,
                                  "input": Planner.childInput(parent: predecessors.first, staticInput: exec["static_input"], launchInput: plan.input)])
                continue
            }
            switch planner.prepare(spec, predecessors: predecessors, launchInput: plan.input, in: view, memo: memo) {
            case .execute(let runInput) where planner.waiting(taskID: spec.taskID) != nil:
                waiting.append(waitingRow(id: id, spec: spec, runInput: runInput))
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
            _ = try bulk(scheduled.count) { try connection.execute(bound(TaskRunSQL.schedule, ["rows": JSONValue.array(scheduled).postgresBind])) }
            wroteEvents = true
        }
        try enterWaiting(waiting)
    }

    /// A scatter gate decided its replica count: record it, close the gate, and insert what the count creates.
    private func expand(gateID: Int64, gate: RunSpec, count: Int) throws {
        // One expansion under way per launch: this gate stays pending (ready) until it is done.
        if try expansionUnderWay() { return }
        launch.replicaCounts[gate.name] = count
        let rows = try connection.query(bound(TaskRunSQL.closeGate, [
            "run": gateID.postgresBind, "output": JSONValue.object(["replicas": .int(Int64(count))]).postgresBind,
        ]))
        launch.ledger.expanded(gate: gate.name, taskID: gate.taskID, replicas: count)
        try insertExpanding(gate: gate, count: count)
        if let row = rows.first {
            try makeReady(try countDown(try row.decode([String].self, column: "successors")))
        }
    }

    /// A run of a disabled task: skipped, never executed, and its successors proceed as after a success.
    private func skip(id: Int64) throws {
        guard let row = try connection.query(bound(TaskRunSQL.skip, ["run": id.postgresBind])).first else { return }
        launch.ledger.skipped()
        wroteEvents = true
        try makeReady(try countDown(try row.decode([String].self, column: "successors")))
    }

    /// A run that fails before executing (deploy condition false, scatter not a list, an expression error).
    private func failPending(id: Int64, name: String, message: String) throws {
        let rows = try connection.query(bound(TaskRunSQL.failPending, ["run": id.postgresBind, "message": message.postgresBind]))
        guard let row = rows.first else { return }
        launch.ledger.failedBeforeRunning(run: name, kind: RunKind(rawValue: try row.decode(String.self, column: "kind")) ?? .task, message: message)
        try markUpstreamFailed(try row.decode([String].self, column: "successors"))
    }

    /// Marks the given runs and everything downstream of them that has not run `upstream_failed`.
    private func markUpstreamFailed(_ seeds: [String]) throws {
        guard !seeds.isEmpty else { return }
        for row in try connection.query(bound(TaskRunSQL.markUpstreamFailed, ["seeds": seeds.postgresBind])) {
            launch.ledger.upstreamFailed(
                run: try row.decode(String.self, column: "name"),
                kind: RunKind(rawValue: try row.decode(String.self, column: "kind")) ?? .task,
                wasActive: try row.decode(Bool.self, column: "was_active"))
        }
    }

    /// Frees held-back runs while the launch is under its max_task_concurrency.
    private func releaseThrottled() throws {
        guard let limit = launch.maxConcurrency, launch.ledger.hasRoom(under: limit) else { return }
        let released = try connection.execute(bound(TaskRunSQL.releaseThrottled, ["count": (limit - launch.ledger.activeRuns).postgresBind]))
        launch.ledger.admitted(released)
        madeClaimable += released
    }

    /// The launch's output: each succeeded run without successors, by run id.
    private func sinkOutputs() throws -> JSONValue {
        var outputs: [String: JSONValue] = [:]
        for row in try connection.query("""
            SELECT name, output FROM task_runs
            WHERE launch_id = \(launchID)::uuid AND kind = \(unsafeSQL: RunKind.task.sql) AND state = \(unsafeSQL: RunState.succeeded.sql)
              AND cardinality(successors) = 0
            """) {
            outputs[try row.decode(String.self, column: "name")] = try row.decode(JSONValue?.self, column: "output") ?? .null
        }
        return .object(outputs)
    }

    // MARK: - Re-run

    /// The launch re-opened by a re-run (`LaunchRerun`, whose statements reset the runs): its books recounted,
    /// the gates whose counts still hold, then the re-opened runs that can never run closed (`doomed`: a
    /// predecessor failed and is not re-run) and those whose predecessors all succeeded prepared (`ready`), as on
    /// any completion. `flush()` writes the rest.
    func reopen(ledger: LaunchLedger, replicaCounts: [String: Int], doomed: [String], ready: [String]) throws {
        launch.ledger = ledger
        launch.replicaCounts = replicaCounts
        wroteEvents = true
        try markUpstreamFailed(doomed)
        try makeReady(ready.filter { !doomed.contains($0) })
        try releaseThrottled()
    }

    // MARK: - Waiting runs (timer, signal, workflow tasks)

    /// A ready run of a waiting kind: its input, `{"wait": …}` as what it does, and its deadline. It takes no
    /// slot, so it is not admitted (max_task_concurrency counts claimable and running runs only).
    private func waitingRow(id: Int64, spec: RunSpec, runInput: RunInput) -> JSONValue {
        let waiting = planner.waiting(taskID: spec.taskID)!
        return ["id": .int(id), "input": runInput.input, "exec": waiting.exec, "due": waiting.dueSeconds.map(JSONValue.double) ?? .null]
    }

    /// pending -> waiting (`TaskRunSQL.enterWaiting`); a signal already sent makes its run due at once.
    private func enterWaiting(_ rows: [JSONValue]) throws {
        guard !rows.isEmpty else { return }
        if launch.state == .waiting {
            // Its first runs to start are waiting ones: the launch is under way from now, not from their end.
            _ = try connection.execute(bound(LaunchSQL.startWaiting, ["run": Int64?.none.postgresBind]))
            launch.ledger.started()
        }
        let due = try bulk(rows.count) { try connection.query(bound(TaskRunSQL.enterWaiting, ["rows": JSONValue.array(rows).postgresBind])) }
            .first.map { try $0.decode(Int.self, column: "due") } ?? 0
        wroteEvents = true
        // A run due now (a child to create, a signal already here) wakes the maintenance services at once rather
        // than at their next pass; runs with a later deadline (or none) wake nobody.
        if due > 0 { try connection.notify(channel: SchedulerChannels.waiting, payload: launchID) }
    }

    /// Completes waiting run `run` at `attempt` with `outcome` through the path executors' results take: the run
    /// moves to running (`TaskRunSQL.wake`, counted as active as a claim would) and `complete` records it, so
    /// successors, failure propagation and retry rules are the same for every kind. False when the run was no
    /// longer waiting at that attempt (cancelled, or completed by someone else).
    @discardableResult
    public func completeWaiting(run: Int64, attempt: Int, outcome: RunCompletion.Outcome) throws -> Bool {
        guard !launch.isTerminal else { return false }
        guard try !connection.query(bound(TaskRunSQL.wake, ["run": run.postgresBind, "attempt": attempt.postgresBind])).isEmpty else { return false }
        launch.ledger.admitted()
        if launch.state == .waiting {
            // Its first run to start: a launch that begins with a waiting run starts here, not at a claim.
            _ = try connection.execute(bound(LaunchSQL.startWaiting, ["run": run.postgresBind]))
            wroteEvents = true
            launch.ledger.started()
        }
        let finished = now ?? Date()
        return try complete([RunCompletion(runID: run, launchID: launchID, attempt: attempt, outcome: outcome, finishedAt: finished)]) > 0
    }

    /// A run of a waiting kind claimed by a scheduler (a retry sent it back to `scheduled`): it waits again at the
    /// claim's attempt (`TaskRunSQL.park`) and gives its slot back. False when it was no longer running there.
    @discardableResult
    public func park(run: Int64, attempt: Int, taskID: String) throws -> Bool {
        guard !launch.isTerminal, let waiting = planner.waiting(taskID: taskID) else { return false }
        guard let row = try connection.query(bound(TaskRunSQL.park, [
            "run": run.postgresBind, "attempt": attempt.postgresBind, "due": waiting.dueSeconds.postgresBind,
        ])).first else { return false }
        launch.ledger.parked()
        wroteEvents = true
        if try row.decode(Bool?.self, column: "due") == true {
            try connection.notify(channel: SchedulerChannels.waiting, payload: launchID)
        }
        return true
    }

    /// The launch's output at its end: the workflow's `output` expression over `task_outputs` when it succeeded
    /// (an expression error fails the launch, with the error on the launch and in `launch.failed`); else the
    /// sinks' outputs.
    private func launchOutput() throws -> JSONValue {
        guard let expression = planner.workflow.output, launch.state == .succeeded else { return try sinkOutputs() }
        var records: [RunRecord] = []
        for row in try connection.query("""
            SELECT name, task_id, replica_path, output FROM task_runs
            WHERE launch_id = \(launchID)::uuid AND kind = \(unsafeSQL: RunKind.task.sql) AND state = \(unsafeSQL: RunState.succeeded.sql)
            ORDER BY id
            """) {
            let taskID = try row.decode(String.self, column: "task_id")
            // A timer has no output, here as in its successors' input.
            if planner.waiting(taskID: taskID)?.kind == .timer { continue }
            records.append(RunRecord(
                name: try row.decode(String.self, column: "name"), taskID: taskID,
                replicaPath: try row.decode([Int64].self, column: "replica_path").map(Int.init),
                output: try row.decode(JSONValue?.self, column: "output") ?? .null))
        }
        switch WorkflowOutput.evaluate(expression, taskOutputs: WorkflowOutput.taskOutputs(records)) {
        case .success(let value):
            return value
        case .failure(let error):
            launch.ledger.outputFailed(message: error.description)
            try connection.execute("UPDATE launches SET error = \(error.description) WHERE id = \(launchID)::uuid")
            return .null
        }
    }

    /// A child launch ended: wake the services that complete its parent run (`WaitingService`).
    private func announceChildEnd() throws {
        try connection.execute("""
            SELECT pg_notify(\(SchedulerChannels.waiting), parent_launch_id::text) FROM launches
            WHERE id = \(launchID)::uuid AND parent_run_id IS NOT NULL
            """)
    }
}
