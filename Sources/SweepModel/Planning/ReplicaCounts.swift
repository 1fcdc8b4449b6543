/// An in-memory `LaunchView`, keyed by gate run name: what the simulation and tests use, and what a scheduler can
/// build from its gate rows.
public struct ReplicaCounts: LaunchView, Sendable, Hashable {
    public var countsByGate: [String: Int]

    public init(_ countsByGate: [String: Int] = [:]) { self.countsByGate = countsByGate }

    public func replicaCount(ofTask taskID: String, outerPath: [Int]) -> Int? {
        countsByGate[ReplicaName.name(task: taskID, path: outerPath)]
    }

    public mutating func record(gate: RunSpec, count: Int) {
        countsByGate[gate.name] = count
    }
}
