import SweepJSON
import Testing
@testable import SweepModel

/// The SWEEP document's examples, launched in the simulation: the expanded DAGs and the inputs it describes.

private let tiles: JSONValue = ["buckets": [["count": 3]], "tile": [["tile_id": 1], ["tile_id": 2], ["tile_id": 3]]]

private func launch(_ text: String, launchInput: JSONValue? = nil,
                    _ outputs: [String: (LaunchSimulation.Invocation) -> JSONValue] = [:]) throws -> LaunchSimulation {
    let workflow = try TestSupport.workflow(text)
    #expect(WorkflowValidator.problems(in: workflow, catalog: TestSupport.exampleCatalog).isEmpty)
    return try LaunchSimulation.run(workflow, launchInput: launchInput, executor: TestSupport.executor(outputs))
}

@Test func exampleOneRunsEveryTaskOnceWithItsInputs() throws {
    let simulation = try launch(SweepExamples.example1, ["1": { _ in ["msg": "I completed successfully"] }, "3": { _ in ["buckets": 10] }])
    #expect(simulation.succeeded)
    #expect(simulation.taskRunNames == ["1", "2", "3", "4"])
    #expect(simulation["1"]?.input?.input == ["predecessor_outputs": [:], "static_input": [:]])
    #expect(simulation["2"]?.input?.input == ["predecessor_outputs": ["1": ["msg": "I completed successfully"]], "static_input": ["msg": "static input message"]])
    #expect(simulation["3"]?.spec.delaySeconds == 10)
    #expect(simulation["4"]?.spec.predecessors == ["1", "3"])
    #expect(simulation["4"]?.input?.input == ["predecessor_outputs": ["1": ["msg": "I completed successfully"], "3": ["buckets": 10]], "static_input": [:]])
}

@Test func launchInputIsAddedOnlyWhenGiven() throws {
    let given = try launch(SweepExamples.example1, launchInput: ["n": 1])
    #expect(given["1"]?.input?.input["launch_input"] == ["n": 1])
    let null = try launch(SweepExamples.example1, launchInput: .null)
    #expect(null["1"]?.input?.input["launch_input"] == nil)
}

@Test func exampleTwoScattersTilesAndGathersThem() throws {
    let simulation = try launch(SweepExamples.example2, [
        "1": { _ in tiles },
        "2": { invocation in ["seen": TestSupport.predecessorOutput(invocation.input, "1")?["tile"]?["tile_id"] ?? .null] },
    ])
    #expect(simulation.succeeded)
    #expect(simulation.taskRunNames == ["1", "2_A", "2_B", "2_C", "3"])
    for (name, id) in [("2_A", 1), ("2_B", 2), ("2_C", 3)] {
        let expected: JSONValue = ["buckets": [["count": 3]], "tile": ["tile_id": .int(Int64(id))]]
        #expect(TestSupport.predecessorOutput(simulation[name]?.input, "1") == expected)
        #expect(simulation[name]?.input?.input["static_input"] == [:])
        #expect(simulation[name]?.spec.predecessors == ["1"])
    }
    #expect(simulation["3"]?.spec.predecessors == ["2_A", "2_B", "2_C"])
    #expect(TestSupport.predecessorOutput(simulation["3"]?.input, "2") == [["seen": 1], ["seen": 2], ["seen": 3]])
}

@Test func exampleThreeFollowPairsReplicas() throws {
    let simulation = try launch(SweepExamples.example3, [
        "1": { _ in tiles },
        "2": { invocation in ["tile": TestSupport.predecessorOutput(invocation.input, "1")?["tile"] ?? .null] },
    ])
    #expect(simulation.succeeded)
    #expect(simulation.taskRunNames == ["1", "2_A", "2_B", "2_C", "3_A", "3_B", "3_C"])
    for (index, suffix) in ["A", "B", "C"].enumerated() {
        #expect(simulation["3_\(suffix)"]?.spec.predecessors == ["2_\(suffix)"])
        #expect(TestSupport.predecessorOutput(simulation["3_\(suffix)"]?.input, "2") == ["tile": ["tile_id": .int(Int64(index + 1))]])
    }
}

@Test func exampleFourExpandsFollowersBeforeAnyReplicaFinished() throws {
    let simulation = try launch(SweepExamples.example4, ["1": { _ in tiles }, "3": { _ in ["three": true] }])
    #expect(simulation.succeeded)
    #expect(simulation.taskRunNames == ["1", "2_A", "2_B", "2_C", "3", "4_A", "4_B", "4_C", "5"])
    let firstReplicaFinished = ["2_A", "2_B", "2_C"].compactMap { simulation[$0]?.finishedAtStep }.min()!
    for suffix in ["A", "B", "C"] {
        let run = try #require(simulation["4_\(suffix)"])
        #expect(run.createdAtStep < firstReplicaFinished)
        #expect(run.createdAtStep == simulation["2_\(suffix)"]?.createdAtStep)
        #expect(run.spec.predecessors == ["2_\(suffix)", "3"])
        #expect(TestSupport.predecessorOutput(run.input, "3") == ["three": true])
    }
    #expect(simulation["5"]?.spec.predecessors == ["4_A", "4_B", "4_C"])
}

@Test func exampleSixPassesCommandAndEnvironmentOverrides() throws {
    let simulation = try launch(SweepExamples.example6)
    #expect(simulation.succeeded)
    let input = try #require(simulation["1"]?.input)
    #expect(input.command == ["sh", "-c", "printenv USERNAME"])
    #expect(input.environment == [EnvironmentVariable(name: "USERNAME", value: "ka"), EnvironmentVariable(name: "IND", value: "1")])
}

private let envVars: JSONValue = [
    [["name": "IND", "value": "1"], ["name": "VAR", "value": "hello"]],
    [["name": "IND", "value": "2"], ["name": "VAR", "value": "hello"]],
    [["name": "IND", "value": "3"], ["name": "VAR", "value": "hello"]],
]

private func environment(_ ind: String) -> [EnvironmentVariable] {
    [EnvironmentVariable(name: "IND", value: ind), EnvironmentVariable(name: "VAR", value: "hello")]
}

@Test func exampleSevenEvaluatesEnvironmentPerReplica() throws {
    let simulation = try launch(SweepExamples.example7, ["1": { _ in ["num_inds": 3, "env_vars": envVars] }])
    #expect(simulation.succeeded)
    #expect(simulation.taskRunNames == ["1", "2_A", "2_B", "2_C"])
    for (suffix, ind) in [("A", "1"), ("B", "2"), ("C", "3")] {
        let input = try #require(simulation["2_\(suffix)"]?.input)
        #expect(input.environment == environment(ind))
        #expect(input.command == ["sh", "-c", "printenv IND"])
    }
}

@Test func exampleEightPropagatesStaticOutputThroughContainers() throws {
    let simulation = try launch(SweepExamples.example8, ["1": { _ in ["num_inds": 3, "env_vars": envVars] }])
    #expect(simulation.succeeded)
    #expect(simulation.taskRunNames == ["1", "2_A", "2_B", "2_C", "3_A", "3_B", "3_C", "4_A", "4_B", "4_C"])
    for (index, suffix) in ["A", "B", "C"].enumerated() {
        let ind = String(index + 1)
        let list = JSONValue.array(environment(ind).map(\.json))
        #expect(simulation["2_\(suffix)"]?.input?.environment == environment(ind))
        #expect(simulation["2_\(suffix)"]?.output == ["static_output": list])
        #expect(simulation["3_\(suffix)"]?.spec.predecessors == ["2_\(suffix)"])
        #expect(simulation["3_\(suffix)"]?.input?.environment == environment(ind))
        #expect(simulation["3_\(suffix)"]?.output == ["static_output": list])
        #expect(simulation["4_\(suffix)"]?.spec.predecessors == ["3_\(suffix)"])
        #expect(simulation["4_\(suffix)"]?.input?.environment == environment(ind))
        #expect(simulation["4_\(suffix)"]?.output == [:])
    }
}
