import SweepJSON
import Testing
@testable import SweepModel

/// `Planner.existingRuns(in:)`: what a re-run keeps when it forgets some gates' counts. It must be exactly what
/// `start()` and the expansions still decided create, so the runs a re-run deletes are those of the forgotten
/// gates' expansions and nothing else.

@Test func existingRunsWithNoCountIsTheStartAndWithCountsIsStartPlusExpansions() throws {
    let planner = try Planner(workflow: TestSupport.workflow(SweepExamples.example4))
    #expect(planner.existingRuns(in: ReplicaCounts()) == planner.start().runs)
    let gate = planner.start().runs[1]
    let expansion = planner.expand(gate: gate, replicaCount: 2, in: ReplicaCounts())
    #expect(Set(planner.existingRuns(in: ReplicaCounts(["2": 2]))) == Set(planner.start().runs + expansion.runs))
    #expect(Set(planner.existingRuns(in: ReplicaCounts(["2": 2])).map(\.name)) == ["1", "2", "3", "2_A", "2_B", "4_A", "4_B", "5"])
}

@Test func forgettingAnOuterGateDropsTheInnerGatesAndEverythingTheyMade() throws {
    let planner = try Planner(workflow: TestSupport.example5aWorkflow())
    let all = Set(planner.existingRuns(in: ReplicaCounts(["2": 2, "3_A": 2, "3_B": 1])).map(\.name))
    #expect(all == ["1", "2", "2_A", "2_B", "3_A", "3_B", "3_A_A", "3_A_B", "3_B_A", "4_A", "4_B", "5"])
    // Re-running 3 re-decides its gates only: 2's replicas stay, 3's replicas and what gathers them go.
    let withoutInner = Set(planner.existingRuns(in: ReplicaCounts(["2": 2])).map(\.name))
    #expect(withoutInner == ["1", "2", "2_A", "2_B", "3_A", "3_B"])
    // Re-running 1 re-decides every gate downstream: only the start's runs stay.
    #expect(Set(planner.existingRuns(in: ReplicaCounts()).map(\.name)) == ["1", "2"])
}
