import SweepJSON
import Testing
@testable import SweepModel

private let start: [String: JSONValue] = ["position": "start"]

private func simulate(_ tasks: [JSONValue], launchInput: JSONValue? = nil,
                      _ outputs: [String: (LaunchSimulation.Invocation) -> JSONValue] = [:]) throws -> LaunchSimulation {
    try LaunchSimulation.run(Workflow(json: TestSupport.workflowJSON(tasks)), launchInput: launchInput, executor: TestSupport.executor(outputs))
}

@Test func falseDeployConditionFailsTheRunAndItsSuccessors() throws {
    let simulation = try simulate([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", ["3"], properties: ["deploy_conditions": ["True", "predecessor_outputs['1']['buckets'][0]['count'] >= 4"]]),
        TestSupport.task("3"),
    ], ["1": { _ in ["buckets": [["count": 3]]] }])
    #expect(!simulation.succeeded)
    #expect(simulation["2"]?.state == .failed)
    #expect(simulation["2"]?.error?.code == .deployConditionFalse)
    #expect(simulation["2"]?.error?.message.contains("deploy condition 1 of task 2 is false") == true)
    #expect(simulation["3"]?.state == .upstreamFailed)
}

@Test func trueDeployConditionsLetTheRunExecute() throws {
    let simulation = try simulate([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", properties: ["deploy_conditions": ["predecessor_outputs['1']['buckets'][0]['count'] >= 4"]]),
    ], ["1": { _ in ["buckets": [["count": 4]]] }])
    #expect(simulation.succeeded)
}

@Test func deployConditionRuntimeErrorIsATaskError() throws {
    let simulation = try simulate([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", properties: ["deploy_conditions": ["predecessor_outputs['1']['missing'] > 1"]]),
    ])
    #expect(simulation["2"]?.state == .failed)
    #expect(simulation["2"]?.error?.code == .deployConditionFailed)
}

@Test func scatterOverANonListFailsTheGate() throws {
    let simulation = try simulate([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", ["3"], properties: ["scatter": "predecessor_outputs['1']"]),
        TestSupport.task("3"),
    ], ["1": { _ in ["not": "a list"] }])
    #expect(!simulation.succeeded)
    #expect(simulation["2"]?.spec.kind == .scatter)
    #expect(simulation["2"]?.error?.code == .scatterNotList)
    #expect(simulation["2"]?.error?.message.contains("must give a list") == true)
    #expect(simulation["3"] == nil)
}

@Test func scatterRuntimeErrorFailsTheGate() throws {
    let simulation = try simulate([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", properties: ["scatter": "predecessor_outputs['9']"]),
    ])
    #expect(simulation["2"]?.error?.code == .scatterFailed)
}

@Test func emptyScatterMakesNoReplicasAndGathersAnEmptyList() throws {
    let simulation = try simulate([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", ["3", "4"], properties: ["scatter": "predecessor_outputs['1']['items']"]),
        TestSupport.task("3", properties: ["follow": "2"]),
        TestSupport.task("4"),
    ], ["1": { _ in ["items": []] }])
    #expect(simulation.succeeded)
    #expect(simulation.taskRunNames == ["1", "4"])
    #expect(TestSupport.predecessorOutput(simulation["4"]?.input, "2") == [])
}

@Test func scatterThatIsNotAPathPutsTheElementUnderScatterElement() throws {
    let simulation = try simulate([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", properties: ["scatter": "predecessor_outputs['1']['items'][1:]"]),
    ], ["1": { _ in ["items": [1, 2, 3]] }])
    #expect(simulation.taskRunNames == ["1", "2_A", "2_B"])
    #expect(simulation["2_B"]?.input?.input["scatter_element"] == 3)
    #expect(TestSupport.predecessorOutput(simulation["2_B"]?.input, "1") == ["items": [1, 2, 3]])
}

@Test func startTaskCanScatterOverTheLaunchInput() throws {
    let simulation = try simulate([TestSupport.task("1", properties: ["position": "start", "scatter": "launch_input['files']"])],
                                  launchInput: ["files": ["a", "b"]])
    #expect(simulation.taskRunNames == ["1_A", "1_B"])
    #expect(simulation["1_B"]?.input?.input["launch_input"] == ["files": "b"])
}

@Test func multiplicityMakesIdenticalReplicas() throws {
    let simulation = try simulate([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", ["3"], properties: ["multiplicity": 28, "static_input": ["k": 1]]),
        TestSupport.task("3"),
    ])
    #expect(simulation.succeeded)
    #expect(simulation.runs.values.filter { $0.spec.taskID == "2" }.count == 28)
    #expect(simulation["2_AB"]?.input?.input == simulation["2_A"]?.input?.input)
    // Multiplied runs exist at launch: no gate needed.
    #expect(simulation["2_AB"]?.createdAtStep == 0)
    #expect(simulation["3"]?.spec.predecessors.count == 28)
}

@Test func constantStaticOutputIsMergedIntoTheOutput() throws {
    let simulation = try simulate([
        TestSupport.task("1", ["2"], properties: ["position": "start", "static_output": ["k": [1, 2]]]),
        TestSupport.task("2"),
    ], ["1": { _ in ["computed": true] }])
    #expect(simulation["1"]?.output == ["computed": true, "static_output": ["k": [1, 2]]])
    #expect(TestSupport.predecessorOutput(simulation["2"]?.input, "1") == ["computed": true, "static_output": ["k": [1, 2]]])
}

@Test func outputMergesStaticOutput() {
    #expect(Planner.output(executorOutput: ["a": 1], staticOutput: nil) == ["a": 1])
    #expect(Planner.output(executorOutput: ["a": 1], staticOutput: 5) == ["a": 1, "static_output": 5])
    #expect(Planner.output(executorOutput: .null, staticOutput: "s") == ["static_output": "s"])
    #expect(Planner.output(executorOutput: [1], staticOutput: "s") == ["result": [1], "static_output": "s"])
}

@Test func environmentExpressionMustGiveNameValuePairs() throws {
    let simulation = try simulate([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", container: "c", properties: ["environment": "predecessor_outputs['1']"]),
    ], ["1": { _ in ["not": "a list"] }])
    #expect(simulation["2"]?.error?.code == .environmentFailed)
}

@Test func executorFailureFailsDownstream() throws {
    struct Boom: Error {}
    let workflow = try Workflow(json: TestSupport.workflowJSON([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", ["3"], properties: ["multiplicity": 2]),
        TestSupport.task("3"),
    ]))
    let simulation = try LaunchSimulation.run(workflow) { invocation in
        if invocation.run.name == "2_B" { throw Boom() }
        return [:]
    }
    #expect(simulation["2_A"]?.state == .succeeded)
    #expect(simulation["2_B"]?.state == .failed)
    #expect(simulation["2_B"]?.error?.code == .executionFailed)
    #expect(simulation["3"]?.state == .upstreamFailed)
}

@Test func plannerRefusesAnInvalidWorkflow() {
    #expect(throws: ValidationError.self) {
        try Planner(workflow: Workflow(json: TestSupport.workflowJSON([TestSupport.task("1", ["1"], properties: start)])))
    }
}

/// The scheduler's protocol, driven by hand: start, then a gate expands with only counts as launch state.
@Test func plannerExpandsIncrementallyFromCountsAlone() throws {
    let planner = try Planner(workflow: TestSupport.workflow(SweepExamples.example4))
    let initial = planner.start()
    #expect(initial.runs.map(\.name) == ["1", "2", "3"])
    #expect(initial.runs[1].kind == .scatter)
    let gate = initial.runs[1]
    let preparation = planner.prepare(gate, predecessors: [RunRecord(name: "1", taskID: "1", replicaPath: [], output: ["tile": [1, 2]])],
                                      launchInput: nil, in: ReplicaCounts())
    #expect(preparation == .expand(replicaCount: 2))
    let expansion = planner.expand(gate: gate, replicaCount: 2, in: ReplicaCounts())
    #expect(expansion.runs.map(\.name) == ["2_A", "2_B", "4_A", "4_B", "5"])
    #expect(expansion.runs.map(\.predecessors) == [["1"], ["1"], ["2_A", "3"], ["2_B", "3"], ["4_A", "4_B"]])
    // Already recorded in the view: same answer.
    #expect(planner.expand(gate: gate, replicaCount: 2, in: ReplicaCounts(["2": 2])) == expansion)
}

@Test func wideScatterStaysFast() throws {
    let width = 20_000
    let started = threadCPUSeconds()
    do {
        let simulation = try simulate([
            TestSupport.task("1", ["2"], properties: start),
            TestSupport.task("2", ["3"], properties: ["scatter": "predecessor_outputs['1']['items']"]),
            TestSupport.task("3", ["4"], properties: ["follow": "2"]),
            TestSupport.task("4"),
        ], ["1": { _ in ["items": .array((0..<width).map { .int(Int64($0)) })] }])
        #expect(simulation.succeeded)
        #expect(simulation.runs.count == 2 * width + 3)
        #expect(simulation["4"]?.spec.predecessors.count == width)
    }
    #expect(threadCPUSeconds() - started < 30)
}
