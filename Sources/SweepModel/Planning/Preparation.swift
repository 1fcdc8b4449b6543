/// What to do with a run whose predecessors all succeeded.
public enum Preparation: Sendable, Hashable {
    /// A task run: execute it with this input.
    case execute(RunInput)
    /// A scatter gate: record the count, then call `Planner.expand(gate:replicaCount:in:)`.
    case expand(replicaCount: Int)
    /// The run fails without executing (deploy condition false, scatter not a list, an expression raised).
    case fail(TaskRunError)
}
