import SweepJSON
import Testing
@testable import SweepModel

private let start: [String: JSONValue] = ["position": "start"]

private func simulate(_ tasks: [JSONValue], launchInput: JSONValue? = nil,
                      _ outputs: [String: (LaunchSimulation.Invocation) -> JSONValue] = [:]) throws -> LaunchSimulation {
    try LaunchSimulation.run(Workflow(json: TestSupport.workflowJSON(tasks)), launchInput: launchInput, executor: TestSupport.executor(outputs))
}

@Test func transformInputReshapesTheInputAsPyflowsConcat() throws {
    // Seed 001: Concat gets [param, ' ', the Reverser's output] instead of the standard dict.
    let simulation = try simulate([
        TestSupport.task("Reverser", ["Concat"], properties: start),
        TestSupport.task("Concat", properties: ["static_input": "Hello",
                                                "transform_input": "[param, ' ', input['predecessor_outputs']['Reverser']['result']]"]),
    ], ["Reverser": { _ in ["result": "DLROW"] }])
    #expect(simulation.succeeded)
    #expect(simulation["Concat"]?.input?.input == ["Hello", " ", "DLROW"])
}

@Test func transformInputSeesEveryStandardKeyByName() throws {
    let simulation = try simulate([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", properties: ["static_input": ["k": 1],
            "transform_input": "{'n': launch_input['n'], 'k': static_input['k'], 'p': predecessor_outputs['1']['v'], 'same': input['static_input'] == param}"]),
    ], launchInput: ["n": 7], ["1": { _ in ["v": "x"] }])
    #expect(simulation["2"]?.input?.input == ["n": 7, "k": 1, "p": "x", "same": true])
}

@Test func transformInputAppliesPerReplicaAfterScatter() throws {
    let simulation = try simulate([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", properties: ["scatter": "predecessor_outputs['1']['items']", "transform_input": "{'item': predecessor_outputs['1']['items']}"]),
    ], ["1": { _ in ["items": ["a", "b"]] }])
    #expect(simulation["2_A"]?.input?.input == ["item": "a"])
    #expect(simulation["2_B"]?.input?.input == ["item": "b"])
}

@Test func conditionsAndStaticOutputReadTheStandardInputNotTheTransformedOne() throws {
    let simulation = try simulate([
        TestSupport.task("1", properties: start.merging(["static_input": ["go": true], "deploy_conditions": ["static_input['go']"],
                                                         "static_output": "static_input['go']", "transform_input": "'plain'"]) { _, new in new }),
    ])
    #expect(simulation.succeeded)
    #expect(simulation["1"]?.input?.input == "plain")
    #expect(simulation["1"]?.input?.staticOutput == true)
}

@Test func aFailingTransformFailsTheRunWithItsCode() throws {
    let simulation = try simulate([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", ["3"], properties: ["transform_input": "predecessor_outputs['1']['missing']"]),
        TestSupport.task("3"),
    ])
    #expect(simulation["2"]?.state == .failed)
    #expect(simulation["2"]?.error?.code == .transformInputFailed)
    #expect(simulation["2"]?.error?.message.contains("transform_input of task 2") == true)
    #expect(simulation["3"]?.state == .upstreamFailed)
}

@Test func aTransformGivingNULFailsTheRunInsteadOfTheStore() throws {
    let simulation = try simulate([TestSupport.task("1", properties: start.merging(["transform_input": "{'a': ['ok', 'x\\x00y']}"]) { _, new in new })])
    #expect(simulation["1"]?.state == .failed)
    #expect(simulation["1"]?.error?.code == .transformInputFailed)
    #expect(simulation["1"]?.error?.message.contains("NUL character (at /a/1)") == true, "\(String(describing: simulation["1"]?.error))")
}

@Test func commandExpressionGivesEachReplicaItsArguments() throws {
    let simulation = try simulate([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", container: "c", properties: ["scatter": "predecessor_outputs['1']['frames']",
                                                           "command": "['render', '-f', str(predecessor_outputs['1']['frames'])]"]),
    ], ["1": { _ in ["frames": [3, 4]] }])
    #expect(simulation.succeeded)
    #expect(simulation["2_A"]?.input?.command == ["render", "-f", "3"])
    #expect(simulation["2_B"]?.input?.command == ["render", "-f", "4"])
}

@Test func aCommandExpressionThatIsNotAListOfStringsFailsThatRun() throws {
    for (source, fragment) in [("'echo hi'", "a string"), ("[]", "an empty list"), ("['echo', 1]", "item 1"), ("static_input['x']", "could not be evaluated")] {
        let simulation = try simulate([TestSupport.task("1", container: "c", properties: start.merging(["command": .string(source)]) { _, new in new })])
        #expect(simulation["1"]?.state == .failed)
        #expect(simulation["1"]?.error?.code == .commandFailed)
        #expect(simulation["1"]?.error?.message.contains(fragment) == true, "\(source): \(String(describing: simulation["1"]?.error))")
    }
}

@Test func aTimerIsAbsentFromItsSuccessorsPredecessorOutputs() throws {
    // Seed 001: Concat depends on Sleep (a timer) and Reverser, and sees only Reverser's output.
    let workflow = try TestSupport.workflow("""
        {"workflow_id": "w", "tasks": [
          {"id": "Reverser", "execution_configurations": [{"function_def_id": "f"}], "successors": ["Sleep", "Concat"], "properties": {"position": "start"}},
          {"id": "Sleep", "type": "timer", "successors": ["Concat"], "properties": {"duration": 2}},
          {"id": "Concat", "execution_configurations": [{"function_def_id": "f"}]}]}
        """)
    let planner = try Planner(workflow: workflow)
    let concat = try #require(planner.start().runs.first { $0.name == "Concat" })
    #expect(concat.predecessors == ["Reverser", "Sleep"])
    let records = [RunRecord(name: "Reverser", taskID: "Reverser", replicaPath: [], output: ["result": "DLROW"]),
                   RunRecord(name: "Sleep", taskID: "Sleep", replicaPath: [], output: .object([:]))]
    guard case .execute(let input) = planner.prepare(concat, predecessors: records, launchInput: nil, in: ReplicaCounts()) else {
        Issue.record("Concat should execute"); return
    }
    #expect(input.input["predecessor_outputs"] == ["Reverser": ["result": "DLROW"]])
}

@Test func maxRuntimeTravelsWithTheRunInput() throws {
    let simulation = try simulate([
        TestSupport.task("1", ["2"], properties: start.merging(["max_runtime": 7]) { _, new in new }),
        TestSupport.task("2"),
    ])
    #expect(simulation["1"]?.input?.runtimeSeconds == 7)
    #expect(simulation["2"]?.input?.runtimeSeconds == nil)
}
