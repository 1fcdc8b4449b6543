/// The replication structure of a valid workflow. Each task has a chain of replication levels, each level named by
/// the task that introduces it (its "owner"): a task that scatters or has a multiplicity adds its own level to the
/// chain of the task it follows (or to nothing). A run of the task is one index per level (`4_A_B` is `[0, 1]` on
/// chain `["2", "4"]`).
///
/// Edges between runs follow from the chains: a run of T at path t depends, for each predecessor Q, on every run of
/// Q whose path agrees with t on the levels T and Q share (their common chain prefix). One such run when Q has no
/// further levels (Q is in T's family, or not replicated); otherwise all of Q's deeper replicas, which T gathers.
struct ReplicationPlan: Sendable {
    let graph: WorkflowGraph
    let order: [String]
    let tasks: [String: WorkflowTask]
    let chains: [String: [String]]

    init(_ workflow: Workflow) throws(ValidationError) {
        if let problem = WorkflowValidator.problems(in: workflow, catalog: nil).first { throw problem }
        graph = WorkflowGraph(workflow)
        guard let order = graph.topologicalOrder() else {
            throw ValidationError(.root / "tasks", .cycle, "the task graph has a cycle")
        }
        self.order = order
        var tasks: [String: WorkflowTask] = [:]
        for task in workflow.tasks where tasks[task.id] == nil { tasks[task.id] = task }
        self.tasks = tasks
        var chains: [String: [String]] = [:]
        // Topological order: a follow target is an ancestor, so its chain is already known.
        for id in order {
            let properties = tasks[id]!.properties
            var chain = properties.follow.flatMap { chains[$0] } ?? []
            if properties.replication.isReplicated { chain.append(id) }
            chains[id] = chain
        }
        self.chains = chains
    }

    func chain(_ id: String) -> [String] { chains[id] ?? [] }

    func replication(_ id: String) -> Replication { tasks[id]?.properties.replication ?? .none }

    /// How many levels two tasks share (the length of their common chain prefix).
    func sharedLevels(_ a: String, _ b: String) -> Int {
        let x = chain(a), y = chain(b)
        var k = 0
        while k < x.count, k < y.count, x[k] == y[k] { k += 1 }
        return k
    }

    /// Replicas of level `owner` under `outer`: fixed for a multiplicity, decided by the gate for a scatter.
    func levelCount(_ owner: String, outer: [Int], in view: some LaunchView) -> Int? {
        switch replication(owner) {
        case .multiplicity(let n): n
        case .scatter: view.replicaCount(ofTask: owner, outerPath: outer)
        case .none: nil
        }
    }

    /// Every path over `levels` that extends `prefix`, skipping branches whose count is not known yet.
    func knownPaths(_ levels: ArraySlice<String>, from prefix: [Int], in view: some LaunchView) -> [[Int]] {
        var paths = [prefix]
        for level in levels.dropFirst(prefix.count) {
            var next: [[Int]] = []
            for path in paths {
                guard let count = levelCount(level, outer: path, in: view) else { continue }
                for index in 0..<count { next.append(path + [index]) }
            }
            paths = next
        }
        return paths
    }

    /// Every path over `levels` that extends `prefix`, or nil if any count on the way is not known yet.
    func completePaths(_ levels: ArraySlice<String>, from prefix: [Int], in view: some LaunchView) -> [[Int]]? {
        var paths = [prefix]
        for level in levels.dropFirst(prefix.count) {
            var next: [[Int]] = []
            for path in paths {
                guard let count = levelCount(level, outer: path, in: view) else { return nil }
                for index in 0..<count { next.append(path + [index]) }
            }
            paths = next
        }
        return paths
    }

    /// For each predecessor task of `id`, the paths of its runs that the run (or gate) at `path` depends on; nil if
    /// some of them are not determined yet.
    func dependencies(of id: String, at path: [Int], in view: some LaunchView) -> [(task: String, paths: [[Int]])]? {
        var result: [(task: String, paths: [[Int]])] = []
        for predecessor in graph.predecessors(of: id) {
            let shared = min(sharedLevels(id, predecessor), path.count)
            guard let paths = completePaths(chain(predecessor)[...], from: Array(path[..<shared]), in: view) else { return nil }
            result.append((predecessor, paths))
        }
        return result
    }
}
