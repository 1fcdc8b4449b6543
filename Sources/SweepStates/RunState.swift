/// A task run's state (API.md). The database stores `rawValue` as text; SQL names a state through `sql` (a quoted
/// literal built from `rawValue`), so this enum is the one place the texts are written.
public enum RunState: String, Sendable, Hashable, CaseIterable {
    /// Waiting for predecessors.
    case pending
    /// Ready (from `ready_at`, possibly delayed): a scheduler may claim it.
    case scheduled
    /// Claimed under a lease; `attempt` is the fencing token of that claim.
    case running
    /// Holds no executor slot while an outside event completes it: a timer's `ready_at`, a signal, a child
    /// launch's end. Never claimed; `ready_at` is its deadline (timer end or timeout) when it has one.
    case waiting
    case succeeded
    case failed
    /// A predecessor failed (or was cancelled): this run will never execute.
    case upstreamFailed = "upstream_failed"
    case cancelled
    /// `enabled: false`: never executed, output `{}`, successors proceed.
    case skipped

    /// Runs that count as open on their launch (`launches.open_runs`).
    public static let open: [RunState] = [.pending, .scheduled, .running, .waiting]
    /// A run in one of these states makes its successors `upstream_failed`.
    public static let failing: [RunState] = [.failed, .upstreamFailed, .cancelled]

    public var isFinished: Bool { !Self.open.contains(self) }

    /// The state as a SQL literal (`'upstream_failed'`): inlined rather than bound, so partial indexes whose
    /// predicate names a state (`WHERE state = 'scheduled'`) stay usable by prepared statements.
    public var sql: String { "'\(rawValue)'" }

    /// A SQL list of states: `('pending', 'scheduled', 'running')`.
    public static func sqlList(_ states: [RunState]) -> String {
        "(" + states.map(\.sql).joined(separator: ", ") + ")"
    }
}
