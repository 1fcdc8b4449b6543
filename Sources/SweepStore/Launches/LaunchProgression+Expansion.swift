import Foundation
import Postgres
import SweepJSON
import SweepModel
import SweepStates

/// Chunked expansion: a wide spec list (a scatter's replicas, or a launch's first runs) is inserted a chunk per
/// transaction, the first chunk by the transaction that decided it, so the first replicas are claimable within
/// milliseconds whatever the width; the schedulers insert the rest (`continueExpansion`), one chunk per
/// transaction under the launch's row lock, moving the cursor (`ExpansionSQL`) in the same transaction.
///
/// Why it stays correct: specs come in topological order (a run's predecessors precede it), so every chunk's
/// predecessors exist: those of the list were inserted with their successors in it (`ExpansionLinks`), those from
/// before it are linked, and under the launch lock no run with successors completes between the read of its state
/// and the insert or link. No chunk updates a row of an earlier chunk: those rows may be claimed by another
/// scheduler whose transaction then waits for the launch's lock to complete others, which the chunk holds (with
/// the gather linked to every replica by the last chunk, two schedulers deadlocked on every wide scatter+gather).
/// The launch counts every run of the list at once (`total_runs`, `open_runs`):
/// the launch cannot end while runs are still to come, and its totals are right from the first chunk. Other
/// gates of the launch wait (`expansionUnderWay`) until the expansion is done, so the list never changes while it
/// is inserted, and a scheduler that picks it up after a crash plans exactly the same list again. A gate's
/// replicas get no `task.scheduled` each (one write per run fewer): the gate's `task.expanded`, with the replica
/// count, announces them.
extension LaunchProgression {
    /// The first chunk: small, so the first replicas start at once (`SWEEP_EXPANSION_FIRST_CHUNK`; tests make
    /// chunks small to stop a scheduler between them).
    public static let firstChunk = chunkSize("SWEEP_EXPANSION_FIRST_CHUNK", 256)
    /// Each later chunk: large enough to keep up with 2 schedulers running replicas, small enough that the
    /// launch's lock is held well under a second (`SWEEP_EXPANSION_CHUNK`).
    public static let laterChunk = chunkSize("SWEEP_EXPANSION_CHUNK", 2_000)

    /// Where the chunk that starts at `next` of an expansion of `total` runs ends: chunks double from the first's
    /// size up to `laterChunk`. The chunk after the first waits for the whole list to be planned; at 2,000 runs its
    /// insert besides left a 20,000-replica scatter with nothing to claim for about 100 ms once the first 256 had
    /// started (issue 17, session 8: no run started between 0.1 and 0.2 s after the predecessor's end).
    public static func chunkEnd(next: Int, total: Int) -> Int {
        min(total, next + min(laterChunk, max(firstChunk, next)))
    }

    private static func chunkSize(_ variable: String, _ standard: Int) -> Int {
        guard let text = ProcessInfo.processInfo.environment[variable], let value = Int(text), value >= 1 else { return standard }
        return value
    }

    /// Inserts `specs` (of gate `gate`, nil: the launch's start) at once when few, else their first chunk, counting
    /// all of them and leaving a cursor for the rest.
    func insertExpanding(_ specs: [RunSpec], gate: String?) throws {
        guard specs.count > Self.firstChunk else { try insert(specs); return }
        let entry = ExpansionSpecs.shared.remember(specs, launchID: launch.id, gate: gate)
        let tasks = specs.filter { $0.kind == .task }.count
        try insertFirstChunk(Array(specs[..<Self.firstChunk]), links: entry.links, total: specs.count, tasks: tasks, gate: gate)
    }

    /// Inserts what gate `gate` expands to (`count` replicas): at once when few, else its first chunk, planned
    /// alone (`Planner.expand(gate:replicaCount:in:first:)`), with a cursor for the rest. Planning the whole list
    /// first (20,000 specs) was most of the time between the gate's predecessor's end and its first replica's
    /// start; the later chunks plan it (`ExpansionSpecs`), off that path.
    func insertExpanding(gate: RunSpec, count: Int) throws {
        let first = planner.expand(gate: gate, replicaCount: count, in: view, first: Self.firstChunk + 1)
        guard first.total > Self.firstChunk else { try insert(first.runs); return }
        let chunk = Array(first.runs[..<Self.firstChunk])
        let links = ExpansionLinks(first: chunk, successors: Array(first.successors[..<Self.firstChunk]))
        try insertFirstChunk(chunk, links: links, total: first.total, tasks: first.tasks, gate: gate.name)
    }

    /// Counts all `total` runs of an expansion (`tasks` of them task runs), leaves its cursor after `chunk` and
    /// inserts `chunk` with its runs' successors in the whole list (`links`).
    private func insertFirstChunk(_ chunk: [RunSpec], links: ExpansionLinks, total: Int, tasks: Int, gate: String?) throws {
        launch.ledger.inserted(tasks: tasks, gates: total - tasks)
        // The cursor first: gates inside the chunk see an expansion under way and wait for it.
        try connection.query(bound(ExpansionSQL.begin, [
            "gate": gate.postgresBind, "next": chunk.count.postgresBind, "total": total.postgresBind,
        ]))
        try insert(chunk, links: links, countingRuns: false, scheduledEvents: gate == nil)
    }

    /// Whether the launch has an expansion under way (then a newly ready gate waits).
    func expansionUnderWay() throws -> Bool {
        !(try connection.query(bound(ExpansionSQL.pending))).isEmpty
    }

    /// Inserts the next chunk of the launch's expansion under way (the caller holds the cursor row's lock and the
    /// launch's); when it is the last, ends the cursor and expands the gates that waited for it. False when there
    /// was none. The caller flushes.
    public func continueExpansion() throws -> Bool {
        guard let row = try connection.query(bound(ExpansionSQL.pending)).first else { return false }
        let gate = try row.decode(String?.self, column: "gate")
        let next = try row.decode(Int.self, column: "next_offset")
        let total = try row.decode(Int.self, column: "total")
        guard !launch.isTerminal else {
            // Cancelled or failed: what was not inserted never runs.
            try connection.execute(bound(ExpansionSQL.finish))
            ExpansionSpecs.shared.forget(launchID: launch.id, gate: gate, total: total)
            return true
        }
        let entry = try ExpansionSpecs.shared.specs(launchID: launch.id, gate: gate, total: total) { try planned(gate: gate) }
        let specs = entry.specs
        guard specs.count == total, next <= total else {
            throw LaunchStoreError("the expansion of \(gate ?? "the start") of launch \(launch.id) planned \(specs.count) runs, its cursor says \(total)")
        }
        let end = Self.chunkEnd(next: next, total: total)
        if end == total {
            try connection.execute(bound(ExpansionSQL.finish))
            ExpansionSpecs.shared.forget(launchID: launch.id, gate: gate, total: total)
        } else {
            try connection.query(bound(ExpansionSQL.advance, ["next": end.postgresBind]))
        }
        try insert(Array(specs[next..<end]), links: entry.links, countingRuns: false, scheduledEvents: gate == nil)
        if end == total {
            let waiting = try connection.query(bound(ExpansionSQL.deferredGates)).map { try $0.decode(String.self, column: "name") }
            try makeReady(waiting)
        }
        return true
    }

    /// The next chunk of the launch's expansion under way without the launch's row lock, when it needs none: the
    /// launch has no max_task_concurrency, the chunk is not the last (the last ends the cursor and expands the
    /// gates that waited), and every run of it is inserted scheduled (its predecessors all succeeded, so no
    /// completion can race its link into their successor lists, and no other run or counter moves). Its only
    /// write to the launch row is `LaunchSQL.countAdmitted`, last, which holds the row lock only to COMMIT: the
    /// completions of both schedulers no longer queue behind a whole chunk (with the lock, each chunk of a
    /// scatter over a predecessor's output stalled every completion of the launch while it planned and
    /// inserted 2,000 runs). The launch record was read without a lock and is never written back. Answers true
    /// when a chunk was inserted, false when no expansion is under way, nil when this chunk needs the lock (the
    /// caller then takes `continueExpansion` under it; nothing was written). Throws `LaunchEndedMidChunk` when
    /// the launch ended meanwhile: the caller must roll back.
    public func continueExpansionUnlocked() throws -> Bool? {
        guard launch.maxConcurrency == nil, !launch.isTerminal else { return nil }
        guard let row = try connection.query(bound(ExpansionSQL.pending)).first else { return false }
        let gate = try row.decode(String?.self, column: "gate")
        let next = try row.decode(Int.self, column: "next_offset")
        let total = try row.decode(Int.self, column: "total")
        let end = Self.chunkEnd(next: next, total: total)
        guard end < total else { return nil }
        let entry = try ExpansionSpecs.shared.specs(launchID: launch.id, gate: gate, total: total) { try planned(gate: gate) }
        let specs = entry.specs
        guard specs.count == total else {
            throw LaunchStoreError("the expansion of \(gate ?? "the start") of launch \(launch.id) planned \(specs.count) runs, its cursor says \(total)")
        }
        let chunk = specs[next..<end]
        guard chunk.allSatisfy({ $0.kind == .task }),
              try insert(Array(chunk), links: entry.links, countingRuns: false, scheduledEvents: gate == nil, onlyIfAllReady: true)
        else { return nil }
        try connection.query(bound(ExpansionSQL.advance, ["next": end.postgresBind]))
        let counted = try connection.query(bound(LaunchSQL.countAdmitted, [
            "admitted": chunk.count.postgresBind, "notify_events": (gate == nil).postgresBind,
        ]))[0].decode(Int.self, column: "counted")
        guard counted == 1 else { throw LaunchEndedMidChunk(launchID: launch.id) }
        return true
    }

    /// The spec list of the expansion of `gate` (nil: the start) as its first chunk saw it.
    private func planned(gate: String?) throws -> [RunSpec] {
        guard let gate else { return planner.start().runs }
        guard let count = launch.replicaCounts[gate],
              let row = try connection.query("""
                SELECT task_id, replica_path, predecessors FROM task_runs WHERE launch_id = \(launch.id)::uuid AND name = \(gate)
                """).first
        else { throw LaunchStoreError("the expanding gate \(gate) of launch \(launch.id) is missing") }
        let spec = RunSpec(name: gate, taskID: try row.decode(String.self, column: "task_id"),
                           replicaPath: try row.decode([Int64].self, column: "replica_path").map(Int.init), kind: .scatter,
                           predecessors: try row.decode([String].self, column: "predecessors"))
        return planner.expand(gate: spec, replicaCount: count, in: view).runs
    }
}
