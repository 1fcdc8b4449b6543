/// The only launch state the planner needs besides a run's own predecessors: how many replicas each expanded scatter
/// gate decided. Everything else (which runs exist) follows from these counts, so a scheduler answers from one small
/// table (one row per gate) instead of loading a launch's runs.
public protocol LaunchView {
    /// The count decided by the scatter gate of `taskID` at `outerPath` (run `ReplicaName.name(task:path:)`);
    /// nil while that gate has not been expanded.
    func replicaCount(ofTask taskID: String, outerPath: [Int]) -> Int?
}
