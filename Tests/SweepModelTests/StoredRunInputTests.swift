import SweepJSON
import Testing
@testable import SweepModel

/// `Planner.storedInput` and the replica template's stored bytes: a run holding the launch input unchanged is stored
/// without it (readers splice it back: SweepStore's `RunInputSQL`); anything else is stored whole.

private let launchInput: JSONValue = ["items": [10, 20.5, "x"], "label": "kept", "deep": ["a": [1.0, .null]]]

private func planner(_ tasks: [JSONValue]) throws -> Planner {
    try Planner(workflow: Workflow(json: TestSupport.workflowJSON(tasks)))
}

private func prepared(_ planner: Planner, _ spec: RunSpec, _ predecessors: [RunRecord], _ input: JSONValue?, _ view: ReplicaCounts) throws -> RunInput {
    guard case .execute(let runInput) = planner.prepare(spec, predecessors: predecessors, launchInput: input, in: view) else {
        throw TestFailure("\(spec.name) does not execute")
    }
    return runInput
}

private struct TestFailure: Error { let message: String; init(_ message: String) { self.message = message } }

@Test func aFollowerIsStoredWithoutTheLaunchInputAndAReplicaOverItWhole() throws {
    let planner = try planner([
        TestSupport.task("1", ["2"], properties: ["position": "start", "scatter": "launch_input['items']"]),
        TestSupport.task("2", properties: ["follow": "1"]),
    ])
    let view = ReplicaCounts(["1": 3])
    let replica = RunSpec(name: "1_B", taskID: "1", replicaPath: [1], kind: .task, predecessors: [])
    let follower = RunSpec(name: "2_B", taskID: "2", replicaPath: [1], kind: .task, predecessors: ["1_B"])
    let record = RunRecord(name: "1_B", taskID: "1", replicaPath: [1], output: ["ok": true])

    let replicaInput = try prepared(planner, replica, [], launchInput, view)
    #expect(replicaInput.input["launch_input"]?["items"] == 20.5)
    #expect(planner.storedInput(replicaInput, taskID: "1", launchInput: launchInput) == nil, "its launch_input holds its element")

    let followerInput = try prepared(planner, follower, [record], launchInput, view)
    let stored = try #require(planner.storedInput(followerInput, taskID: "2", launchInput: launchInput))
    var spliced = try #require(stored.objectValue)
    #expect(spliced["launch_input"] == nil)
    spliced["launch_input"] = launchInput
    #expect(JSONValue.object(spliced) == followerInput.input, "splicing the launch input back gives the prepared input")

    #expect(planner.storedInput(try prepared(planner, follower, [record], nil, view), taskID: "2", launchInput: nil) == nil)
    #expect(planner.storedInput(try prepared(planner, follower, [record], .null, view), taskID: "2", launchInput: .null) == nil)
}

@Test func aComputedInputIsStoredAsComputed() throws {
    // `transform_input: input` gives the standard input back, launch_input and all: still the task's own value.
    let planner = try planner([TestSupport.task("1", properties: ["position": "start", "transform_input": "input"])])
    let spec = RunSpec(name: "1", taskID: "1", replicaPath: [], kind: .task, predecessors: [])
    let runInput = try prepared(planner, spec, [], launchInput, ReplicaCounts())
    #expect(runInput.input["launch_input"] == launchInput)
    #expect(planner.storedInput(runInput, taskID: "1", launchInput: launchInput) == nil)
}

@Test func replicasOfAScatterOverAnOutputAreStampedWithoutTheLaunchInput() throws {
    let planner = try planner([
        TestSupport.task("1", ["2"], properties: ["position": "start"]),
        TestSupport.task("2", properties: ["scatter": "predecessor_outputs['1']['items']", "static_input": ["k": "v"]]),
    ])
    let records = [RunRecord(name: "1", taskID: "1", replicaPath: [], output: ["items": [1, "two", ["three": 3.5]]])]
    let gate = RunSpec(name: "2", taskID: "2", replicaPath: [], kind: .scatter, predecessors: ["1"])
    let view = ReplicaCounts([gate.name: 3])
    let specs = planner.expand(gate: gate, replicaCount: 3, in: view).runs.filter { $0.taskID == "2" && $0.kind == .task }
    let template = try #require(planner.replicaTemplate(for: specs[0], predecessors: records, launchInput: launchInput, in: view, memo: ScatterMemo()))
    #expect(template.splicesLaunchInput)
    for spec in specs {
        let index = try #require(spec.replicaPath.last)
        var out: [UInt8] = []
        template.writeInput(replica: index, to: &out)
        let reference = try prepared(planner, spec, records, launchInput, view)
        #expect(out == planner.storedInput(reference, taskID: "2", launchInput: launchInput)?.jsonBytes, "replica \(spec.name)")
    }
    // Without a launch input there is nothing to leave out.
    let bare = try #require(planner.replicaTemplate(for: specs[0], predecessors: records, launchInput: nil, in: view, memo: ScatterMemo()))
    #expect(!bare.splicesLaunchInput)
}

@Test func theLeftOutLaunchInputStillCountsTowardsTheInputSizeLimit() throws {
    let planner = try planner([
        TestSupport.task("1", ["2"], properties: ["position": "start"]),
        TestSupport.task("2", properties: ["scatter": "predecessor_outputs['1']['items']"]),
    ])
    let big: JSONValue = ["blob": .string(String(repeating: "x", count: ModelLimits.maxRunInputBytes - 200))]
    let records = [RunRecord(name: "1", taskID: "1", replicaPath: [], output: ["items": ["small", .string(String(repeating: "y", count: 400))]])]
    let gate = RunSpec(name: "2", taskID: "2", replicaPath: [], kind: .scatter, predecessors: ["1"])
    let view = ReplicaCounts([gate.name: 2])
    let specs = planner.expand(gate: gate, replicaCount: 2, in: view).runs.filter { $0.taskID == "2" && $0.kind == .task }
    let template = try #require(planner.replicaTemplate(for: specs[0], predecessors: records, launchInput: big, in: view, memo: ScatterMemo()))
    #expect(template.splicesLaunchInput)
    #expect(template.accepts(replica: 0))
    #expect(!template.accepts(replica: 1), "with the launch input the replica's input is over the limit")
    guard case .fail(let error) = planner.prepare(specs[1], predecessors: records, launchInput: big, in: view) else {
        Issue.record("prepare accepted an input over the limit")
        return
    }
    #expect(error.code == .inputTooLarge)
}
