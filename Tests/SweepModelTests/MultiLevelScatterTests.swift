import SweepJSON
import Testing
@testable import SweepModel

/// SWEEP example 5 shows multi-level scatter and gather only as pictures; these are our own 5a-5c in that spirit.

private let start: [String: JSONValue] = ["position": "start"]

private func letters(_ invocation: LaunchSimulation.Invocation) -> JSONValue {
    invocation.input.input["predecessor_outputs"]?["3"] ?? .null
}

/// 5a: scatter, scatter again per replica, gather per outer replica, gather all.
@Test func example5aScatterScatterGatherGather() throws {
    let workflow = try TestSupport.example5aWorkflow()
    #expect(WorkflowValidator.problems(in: workflow, catalog: TestSupport.exampleCatalog).isEmpty)
    let simulation = try LaunchSimulation.run(workflow, executor: TestSupport.executor([
        "1": { _ in ["groups": [["a", "b"], ["c"], ["d", "e", "f"]]] },
        "2": { invocation in ["items": TestSupport.predecessorOutput(invocation.input, "1")?["groups"] ?? .null] },
        "3": { invocation in ["letter": TestSupport.predecessorOutput(invocation.input, "2")?["items"] ?? .null] },
        "4": { invocation in
            let items = TestSupport.predecessorOutput(invocation.input, "3")?.arrayValue ?? []
            return ["joined": .string(items.compactMap { $0["letter"]?.stringValue }.joined())]
        },
    ]))
    #expect(simulation.succeeded)
    #expect(simulation.taskRunNames == ["1", "2_A", "2_B", "2_C", "3_A_A", "3_A_B", "3_B_A", "3_C_A", "3_C_B", "3_C_C", "4_A", "4_B", "4_C", "5"])
    // Gates exist for 2 and for each outer replica of 3, named where no replica can be.
    #expect(Set(simulation.runs.values.filter { $0.spec.kind == .scatter }.map(\.spec.name)) == ["2", "3_A", "3_B", "3_C"])
    #expect(simulation["3_B"]?.replicaCount == 1)
    #expect(simulation["3_C_B"]?.spec.predecessors == ["2_C"])
    #expect(TestSupport.predecessorOutput(simulation["3_C_B"]?.input, "2") == ["items": "e"])
    #expect(simulation["4_C"]?.spec.predecessors == ["2_C", "3_C_A", "3_C_B", "3_C_C"])
    #expect(TestSupport.predecessorOutput(simulation["4_A"]?.input, "3") == [["letter": "a"], ["letter": "b"]])
    #expect(simulation["4_C"]?.output == ["joined": "def"])
    #expect(simulation["5"]?.spec.predecessors == ["4_A", "4_B", "4_C"])
    #expect(TestSupport.predecessorOutput(simulation["5"]?.input, "4") == [["joined": "ab"], ["joined": "c"], ["joined": "def"]])
}

/// 5b: a multiplicity, a scatter per replica (one of them empty), and a task gathering both levels at once.
@Test func example5bTwoLevelGatherKeepsStructureAndEmptyGroups() throws {
    let workflow = try Workflow(json: TestSupport.workflowJSON([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", ["3"], properties: ["multiplicity": 3, "static_input": ["sizes": [2, 0, 1]]]),
        TestSupport.task("3", ["4"], properties: ["follow": "2", "scatter": "predecessor_outputs['2']['list']"]),
        TestSupport.task("4"),
    ]))
    var replica = 0
    let simulation = try LaunchSimulation.run(workflow, executor: TestSupport.executor([
        "2": { invocation in
            // Replica i makes a list of sizes[i] elements.
            let index = invocation.run.replicaPath[0]
            let size = Int(invocation.input.input["static_input"]?["sizes"]?.arrayValue?[index].intValue ?? 0)
            return ["list": .array((0..<size).map { .int(Int64($0)) })]
        },
        "3": { invocation in
            replica += 1
            return ["name": .string(invocation.run.name)]
        },
    ]))
    #expect(simulation.succeeded)
    #expect(replica == 3)
    #expect(simulation.taskRunNames == ["1", "2_A", "2_B", "2_C", "3_A_A", "3_A_B", "3_C_A", "4"])
    #expect(simulation["3_B"]?.replicaCount == 0)
    #expect(simulation["4"]?.spec.predecessors == ["3_A_A", "3_A_B", "3_C_A"])
    #expect(TestSupport.predecessorOutput(simulation["4"]?.input, "3") == [[["name": "3_A_A"], ["name": "3_A_B"]], [], [["name": "3_C_A"]]])
}

/// 5c: following through a gather, a follower of a follower, and a per-replica scatter waiting on a follower.
@Test func example5cFollowComposesWithGathersAndFollowers() throws {
    let workflow = try Workflow(json: TestSupport.workflowJSON([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", ["3", "4"], properties: ["scatter": "launch_input"]),
        TestSupport.task("3", ["4"]),
        TestSupport.task("4", ["5"], properties: ["follow": "2"]),
        TestSupport.task("5", ["6"], properties: ["follow": "4"]),
        TestSupport.task("6", ["7"], properties: ["follow": "2", "scatter": "predecessor_outputs['5']['parts']"]),
        TestSupport.task("7"),
    ]))
    #expect(WorkflowValidator.problems(in: workflow, catalog: TestSupport.exampleCatalog).isEmpty)
    let simulation = try LaunchSimulation.run(workflow, launchInput: ["x", "y"], executor: TestSupport.executor([
        "2": { invocation in ["value": invocation.input.input["launch_input"] ?? .null] },
        "5": { invocation in ["parts": .array((0...invocation.run.replicaPath[0]).map { .int(Int64($0)) })] },
        "6": { invocation in invocation.input.input["predecessor_outputs"]?["5"]?["parts"] ?? .null },
    ]))
    #expect(simulation.succeeded)
    #expect(simulation.taskRunNames == ["1", "2_A", "2_B", "3", "4_A", "4_B", "5_A", "5_B", "6_A_A", "6_B_A", "6_B_B", "7"])
    #expect(TestSupport.predecessorOutput(simulation["3"]?.input, "2") == [["value": "x"], ["value": "y"]])
    #expect(simulation["4_B"]?.spec.predecessors == ["2_B", "3"])
    #expect(simulation["5_B"]?.spec.predecessors == ["4_B"])
    #expect(simulation["6_B"]?.spec.predecessors == ["5_B"])
    // The scatter replaced predecessor_outputs['5']['parts'] by the element.
    #expect(simulation["6_B_B"]?.output == 1)
    #expect(simulation["7"]?.spec.predecessors == ["6_A_A", "6_B_A", "6_B_B"])
    #expect(TestSupport.predecessorOutput(simulation["7"]?.input, "6") == [[0], [0, 1]])
}
