/// The successors a run has inside its own expansion, known when it is planned, so the scheduler stores them with
/// the run instead of appending them later. Appending them later updated rows other schedulers had claimed: the
/// chunk that inserted a gather linked it to every replica of its scatter, holding the launch's row lock, while
/// another scheduler's claim held some of those replicas and waited for that lock to complete others (a deadlock;
/// PostgreSQL's server log, branch dlk).
extension Planner {
    /// For each of `runs` (a prefix of the expansion: units of `table` not in `old`, in its order), the names of
    /// the expansion's runs that name it as a predecessor, in the expansion's order: what `predecessorNames` gives
    /// them, inverted without building the other runs' specs. A run of T at path t depends on the run of Q at path
    /// p when T follows Q in the graph and p agrees with t on the levels T and Q share (cut to t's length: a gate's
    /// path is its outer path), so each unit of each successor task is matched by that prefix alone; only matches
    /// get a name.
    func successorsWithin(_ runs: [RunSpec], table: UnitTable, excluding old: UnitTable) -> [[String]] {
        var result = Array(repeating: [String](), count: runs.count)
        // Gates are no run's predecessors (dependencies name complete paths: replicas).
        var byTask: [String: [Int]] = [:]
        for (index, run) in runs.enumerated() where run.kind == .task { byTask[run.taskID, default: []].append(index) }
        guard !byTask.isEmpty else { return result }
        for id in plan.order {
            let predecessors = plan.graph.predecessors(of: id).filter { byTask[$0] != nil }
            guard !predecessors.isEmpty else { continue }
            let oldGates = Set(old.gates[id] ?? [])
            let newGates = (table.gates[id] ?? []).filter { !oldGates.contains($0) }
            let hadInstances = old.hasInstances(of: id)
            let newInstances = (table.instances[id] ?? []).filter { !hadInstances || !old.hasInstance(id, $0) }
            for predecessor in predecessors {
                let shared = plan.sharedLevels(id, predecessor)
                // Gates first, then replicas: the order `runSpecs` lists them in.
                for units in [newGates, newInstances] {
                    guard let length = units.first?.count else { continue }
                    let cut = min(shared, length)
                    var waiting: [[Int]: [Int]] = [:]
                    for index in byTask[predecessor]! { waiting[Array(runs[index].replicaPath.prefix(cut)), default: []].append(index) }
                    for path in units {
                        guard let indices = waiting[Array(path.prefix(cut))] else { continue }
                        let name = ReplicaName.name(task: id, path: path)
                        for index in indices { result[index].append(name) }
                    }
                }
            }
        }
        return result
    }
}
