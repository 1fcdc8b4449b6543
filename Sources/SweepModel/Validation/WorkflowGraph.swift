/// The task DAG with ids resolved: predecessor and successor lists, a topological order, cycle and reachability
/// queries. Built leniently (duplicates and unknown successors ignored) so the validator can report everything.
struct WorkflowGraph: Sendable {
    /// Task ids in posted order, first occurrence of each.
    let ids: [String]
    let index: [String: Int]
    let successors: [String: [String]]
    let predecessors: [String: [String]]

    init(_ workflow: Workflow) {
        var ids: [String] = []
        var index: [String: Int] = [:]
        for task in workflow.tasks where index[task.id] == nil {
            index[task.id] = ids.count
            ids.append(task.id)
        }
        var successors: [String: [String]] = [:]
        var predecessors: [String: [String]] = [:]
        var seenTask: Set<String> = []
        for task in workflow.tasks where seenTask.insert(task.id).inserted {
            var seen: Set<String> = []
            successors[task.id] = task.successors.filter { index[$0] != nil && seen.insert($0).inserted }
        }
        for id in ids {
            for successor in successors[id] ?? [] { predecessors[successor, default: []].append(id) }
        }
        self.ids = ids
        self.index = index
        self.successors = successors
        self.predecessors = predecessors
    }

    func successors(of id: String) -> [String] { successors[id] ?? [] }
    func predecessors(of id: String) -> [String] { predecessors[id] ?? [] }

    /// Kahn's algorithm, ties broken by posted order so plans are deterministic; nil when there is a cycle.
    func topologicalOrder() -> [String]? {
        var remaining = ids.map { predecessors(of: $0).count }
        var ready = ids.indices.filter { remaining[$0] == 0 }
        var order: [String] = []
        var cursor = 0
        while cursor < ready.count {
            let id = ids[ready[cursor]]
            cursor += 1
            order.append(id)
            var unlocked: [Int] = []
            for successor in successors(of: id) {
                let i = index[successor]!
                remaining[i] -= 1
                if remaining[i] == 0 { unlocked.append(i) }
            }
            ready.append(contentsOf: unlocked.sorted())
        }
        return order.count == ids.count ? order : nil
    }

    /// One cycle as a closed walk (`["2", "3", "2"]`), found by iterative depth-first search.
    func findCycle() -> [String]? {
        var state = [String: Int]()  // 1 on the stack, 2 done
        for root in ids where state[root] == nil {
            var stack: [(id: String, next: Int)] = [(root, 0)]
            var path: [String] = [root]
            state[root] = 1
            while !stack.isEmpty {
                let (id, next) = stack[stack.count - 1]
                let list = successors(of: id)
                if next == list.count {
                    state[id] = 2
                    stack.removeLast()
                    path.removeLast()
                    continue
                }
                stack[stack.count - 1].next += 1
                let successor = list[next]
                switch state[successor] {
                case 1:
                    let start = path.firstIndex(of: successor)!
                    return Array(path[start...]) + [successor]
                case 2:
                    continue
                default:
                    state[successor] = 1
                    stack.append((successor, 0))
                    path.append(successor)
                }
            }
        }
        return nil
    }

    func reachable(from start: String) -> Set<String> {
        var seen: Set<String> = [start]
        var stack = [start]
        while let id = stack.popLast() {
            for successor in successors(of: id) where seen.insert(successor).inserted { stack.append(successor) }
        }
        return seen
    }

    /// Every task with a path to `id`, not counting `id` itself.
    func ancestors(of id: String) -> Set<String> {
        var seen: Set<String> = []
        var stack = [id]
        while let current = stack.popLast() {
            for predecessor in predecessors(of: current) where seen.insert(predecessor).inserted { stack.append(predecessor) }
        }
        return seen
    }
}
