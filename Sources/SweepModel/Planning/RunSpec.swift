import SweepStates

/// A run the scheduler must store: one replica of a task, or the scatter gate that decides how many replicas a
/// scatter task gets. `predecessors` are run names; the run is ready when every one of them has succeeded.
public struct RunSpec: Sendable, Hashable {
    /// `task` executes the task's executable. `scatter` executes nothing: once ready, `Planner.prepare` evaluates
    /// the scatter expression, and `Planner.expand(gate:replicaCount:in:)` creates the replicas. A gate is named
    /// like the task at its outer path (`2`, `4_A`), a name no replica can have; a failing scatter fails this run,
    /// so the error has a home.
    public typealias Kind = RunKind

    /// `2_A`, `4_A_B`, or the task id for an unreplicated task; unique within a launch.
    public var name: RunName
    public var taskID: String
    /// One index per replication level (`4_A_B` → `[0, 1]`); for a scatter gate, the outer levels only.
    public var replicaPath: [Int]
    public var kind: Kind
    /// Run names, in task order then replica order.
    public var predecessors: [String]
    /// SWEEP `delay`: seconds to wait after the run becomes ready.
    public var delaySeconds: Int

    public init(name: String, taskID: String, replicaPath: [Int], kind: Kind, predecessors: [String], delaySeconds: Int = 0) {
        self.name = name
        self.taskID = taskID
        self.replicaPath = replicaPath
        self.kind = kind
        self.predecessors = predecessors
        self.delaySeconds = delaySeconds
    }
}
