import SweepJSON
import Testing
@testable import SweepModel

/// `Planner.expand(gate:replicaCount:in:first:)` gives the first runs of the whole expansion, exactly, and counts
/// the rest: the first chunk of a chunked expansion is planned alone, the later chunks from the whole list.
@Test func theFirstRunsOfAnExpansionAreThoseOfTheWholeListAndItsCountsAreTheWholes() throws {
    let workflow = try TestSupport.example5aWorkflow()
    let planner = try Planner(workflow: workflow)
    let gate = RunSpec(name: "2", taskID: "2", replicaPath: [], kind: .scatter, predecessors: ["1"])
    let view = ReplicaCounts(["2": 7])
    let whole = planner.expand(gate: gate, replicaCount: 7, in: view).runs
    // The replicas of 2 and the gates of 3 under each (4 and 5 wait for those gates' counts).
    #expect(whole.filter { $0.kind == .task }.count == 7 && whole.filter { $0.kind == .scatter }.count == 7)
    for limit in [0, 1, 5, whole.count - 1, whole.count, whole.count + 10] {
        let first = planner.expand(gate: gate, replicaCount: 7, in: view, first: limit)
        #expect(first.runs == Array(whole.prefix(limit)), "first \(limit)")
        #expect(first.total == whole.count)
        #expect(first.tasks == whole.filter { $0.kind == .task }.count)
    }
}
