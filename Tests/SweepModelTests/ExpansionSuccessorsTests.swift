import SweepJSON
import Testing
@testable import SweepModel

/// `Planner.expand(gate:replicaCount:in:first:)`'s `successors`, found without planning the rest of the list, are
/// exactly each first run's successors in the whole list (the later runs naming it as a predecessor, in list
/// order), for every gate of every scatter/follow/gather/multiplicity shape: the scheduler stores them with the
/// run, so a run missing one would never count that successor down, and one too many would count down a stranger.
@Test(arguments: ["example5a", "example5b", "example5c", "scatter+follow+gather", "example2", "example3", "example4", "wf_overrides_dynamic"])
func theFirstRunsSuccessorsAreTheirSuccessorsInTheWholeExpansion(_ name: String) throws {
    let workflow = try shapes()[name]!
    let planner = try Planner(workflow: workflow)
    var counts: [String: Int] = [:]
    var gates = planner.start().runs.filter { $0.kind == .scatter }
    var expanded = 0
    while !gates.isEmpty {
        let gate = gates.removeFirst()
        // Varied widths, one of them empty, so gathers meet 0, 1 and several replicas.
        let count = [3, 1, 4, 0, 2][expanded % 5]
        counts[gate.name] = count
        expanded += 1
        let view = ReplicaCounts(counts)
        let whole = planner.expand(gate: gate, replicaCount: count, in: view).runs
        let expected = successorsInList(whole)
        for limit in Set([0, 1, 2, whole.count / 2, whole.count - 1, whole.count, whole.count + 3]) where limit >= 0 {
            let first = planner.expand(gate: gate, replicaCount: count, in: view, first: limit)
            #expect(first.runs == Array(whole.prefix(limit)), "\(name) gate \(gate.name) first \(limit)")
            #expect(first.successors == Array(expected.prefix(limit)), "\(name) gate \(gate.name) first \(limit)")
        }
        gates += whole.filter { $0.kind == .scatter }
    }
    #expect(expanded > 0, "\(name) has no scatter")
}

/// A wide scatter's first chunk gets its gather and its followers from the inversion, and only its own followers.
@Test func aWideScattersFirstRunsKnowTheirFollowerAndTheGather() throws {
    let planner = try Planner(workflow: try scatterFollowGather())
    let gate = RunSpec(name: "2", taskID: "2", replicaPath: [], kind: .scatter, predecessors: ["1"])
    let first = planner.expand(gate: gate, replicaCount: 20_000, in: ReplicaCounts(["2": 20_000]), first: 3)
    #expect(first.runs.map(\.name) == ["2_A", "2_B", "2_C"])
    #expect(first.successors == [["3_A", "4"], ["3_B", "4"], ["3_C", "4"]])
    #expect(first.total == 40_001)
}

/// The shapes with a scatter: our examples 5a-5c, SWEEP's examples (1 and wf_overrides have no scatter), and a
/// scatter whose replicas feed both a follower and a gather.
private func shapes() throws -> [String: Workflow] {
    [
        "example5a": try TestSupport.example5aWorkflow(), "example5b": try multiplicityThenScatter(),
        "example5c": try followersAndGathers(), "scatter+follow+gather": try scatterFollowGather(),
        "example2": try TestSupport.workflow(SweepExamples.example2), "example3": try TestSupport.workflow(SweepExamples.example3),
        "example4": try TestSupport.workflow(SweepExamples.example4),
        "wf_overrides_dynamic": try TestSupport.workflow(SweepExamples.example7),
    ]
}

/// Each run's successors in `list`: the runs after it that name it, in list order.
private func successorsInList(_ list: [RunSpec]) -> [[String]] {
    var index: [String: Int] = [:]
    var result = Array(repeating: [String](), count: list.count)
    for (position, spec) in list.enumerated() {
        for predecessor in spec.predecessors { if let at = index[predecessor] { result[at].append(spec.name) } }
        index[spec.name] = position
    }
    return result
}

private let start: [String: JSONValue] = ["position": "start"]

/// 1 -> 2 (scatter) -> 3 (follows 2) -> 4 (gathers 2 and 3).
private func scatterFollowGather() throws -> Workflow {
    try Workflow(json: TestSupport.workflowJSON([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", ["3", "4"], properties: ["scatter": "predecessor_outputs['1']['items']"]),
        TestSupport.task("3", ["4"], properties: ["follow": "2"]),
        TestSupport.task("4"),
    ]))
}

/// Example 5b's shape: a multiplicity, a scatter per replica, a task gathering both levels.
private func multiplicityThenScatter() throws -> Workflow {
    try Workflow(json: TestSupport.workflowJSON([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", ["3"], properties: ["multiplicity": 3]),
        TestSupport.task("3", ["4"], properties: ["follow": "2", "scatter": "predecessor_outputs['2']['list']"]),
        TestSupport.task("4"),
    ]))
}

/// Example 5c's shape: followers of followers, a gather beside them, a scatter following a follower.
private func followersAndGathers() throws -> Workflow {
    try Workflow(json: TestSupport.workflowJSON([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", ["3", "4"], properties: ["scatter": "launch_input"]),
        TestSupport.task("3", ["4"]),
        TestSupport.task("4", ["5"], properties: ["follow": "2"]),
        TestSupport.task("5", ["6"], properties: ["follow": "2"]),
        TestSupport.task("6", ["7"], properties: ["follow": "2", "scatter": "predecessor_outputs['5']['parts']"]),
        TestSupport.task("7"),
    ]))
}
