/// What a task_runs row is: a run of a task, or a scatter gate (bookkeeping that decides a replica count).
public enum RunKind: String, Sendable, Hashable, CaseIterable {
    case task, scatter

    public var sql: String { "'\(rawValue)'" }
}
