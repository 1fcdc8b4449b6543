import SweepJSON

/// A run that succeeded, as the scheduler hands it back to the planner: which replica it was and what it output.
public struct RunRecord: Sendable, Hashable {
    public var name: String
    public var taskID: String
    public var replicaPath: [Int]
    public var output: JSONValue

    public init(name: String, taskID: String, replicaPath: [Int], output: JSONValue) {
        self.name = name
        self.taskID = taskID
        self.replicaPath = replicaPath
        self.output = output
    }
}
