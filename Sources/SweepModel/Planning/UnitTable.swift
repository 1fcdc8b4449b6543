/// Which runs exist, per task: gates by outer path and replicas by path, both in creation order.
struct UnitTable {
    var gates: [String: [[Int]]] = [:]
    var instances: [String: [[Int]]] = [:]
    private var instanceSets: [String: Set<[Int]>] = [:]

    mutating func addInstance(_ task: String, _ path: [Int]) {
        instances[task, default: []].append(path)
        instanceSets[task, default: []].insert(path)
    }

    func hasInstance(_ task: String, _ path: [Int]) -> Bool { instanceSets[task]?.contains(path) ?? false }

    /// Whether the table has any instance of `task` (when not, no path of it needs looking up).
    func hasInstances(of task: String) -> Bool { instanceSets[task] != nil }
}
