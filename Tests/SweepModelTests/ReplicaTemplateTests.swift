import SweepJSON
import Testing
@testable import SweepModel

private let start: [String: JSONValue] = ["position": "start"]

private func planner(_ tasks: [JSONValue]) throws -> Planner {
    try Planner(workflow: Workflow(json: TestSupport.workflowJSON(tasks)))
}

/// The replicas of gate `gate` (count `count`) and what `prepare` gives each of them.
private func replicas(_ planner: Planner, gate: RunSpec, count: Int, predecessors: [RunRecord], launchInput: JSONValue? = nil)
    -> (view: ReplicaCounts, specs: [RunSpec]) {
    let view = ReplicaCounts([gate.name: count])
    return (view, planner.expand(gate: gate, replicaCount: count, in: view).runs.filter { $0.taskID == gate.taskID && $0.kind == .task })
}

private func stamped(_ template: ReplicaTemplate, _ index: Int) -> [UInt8] {
    var out: [UInt8] = []
    template.writeInput(replica: index, to: &out)
    return out
}

private func prepared(_ planner: Planner, _ spec: RunSpec, _ predecessors: [RunRecord], _ launchInput: JSONValue?, _ view: ReplicaCounts) -> RunInput? {
    guard case .execute(let input) = planner.prepare(spec, predecessors: predecessors, launchInput: launchInput, in: view) else { return nil }
    return input
}

@Test func everyReplicaOfAScatterOverAPredecessorsOutputIsStampedAsPrepareBuildsIt() throws {
    let planner = try planner([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", properties: ["scatter": "predecessor_outputs['1']['items']", "static_input": ["k": "v"], "static_output": ["fixed": 1]]),
    ])
    let items: [JSONValue] = [1, "two", ["three": [3, 3.5]], .null, "quote \" and \\ and é", [], ["nested": ["deep": true]]]
    let output: JSONValue = ["items": .array(items), "other": "kept"]
    let records = [RunRecord(name: "1", taskID: "1", replicaPath: [], output: output)]
    let gate = RunSpec(name: "2", taskID: "2", replicaPath: [], kind: .scatter, predecessors: ["1"])
    let (view, specs) = replicas(planner, gate: gate, count: items.count, predecessors: records)
    #expect(specs.count == items.count)
    let template = try #require(planner.replicaTemplate(for: specs[0], predecessors: records, launchInput: nil, in: view, memo: ScatterMemo()))
    #expect(template.shared.staticOutput == ["fixed": 1])
    for spec in specs {
        let index = try #require(spec.replicaPath.last)
        #expect(template.accepts(replica: index))
        let reference = try #require(prepared(planner, spec, records, nil, view))
        #expect(stamped(template, index) == reference.input.jsonBytes, "replica \(spec.name)")
    }
    #expect(!template.accepts(replica: items.count), "no element, no stamp")
}

@Test func aScatterOverTheLaunchInputIsStampedToo() throws {
    let planner = try planner([TestSupport.task("1", properties: ["position": "start", "scatter": "launch_input['items']"])])
    let launchInput: JSONValue = ["items": [10, 20, 30], "label": "x"]
    let gate = RunSpec(name: "1", taskID: "1", replicaPath: [], kind: .scatter, predecessors: [])
    let (view, specs) = replicas(planner, gate: gate, count: 3, predecessors: [], launchInput: launchInput)
    let template = try #require(planner.replicaTemplate(for: specs[1], predecessors: [], launchInput: launchInput, in: view, memo: ScatterMemo()))
    for spec in specs {
        let index = try #require(spec.replicaPath.last)
        #expect(stamped(template, index) == prepared(planner, spec, [], launchInput, view)?.input.jsonBytes)
    }
}

@Test func aScatterExpressionThatIsNotAPathPutsTheElementUnderScatterElement() throws {
    let planner = try planner([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", properties: ["scatter": "predecessor_outputs['1']['items'][1:]"]),
    ])
    let records = [RunRecord(name: "1", taskID: "1", replicaPath: [], output: ["items": [0, 1, 2]])]
    let gate = RunSpec(name: "2", taskID: "2", replicaPath: [], kind: .scatter, predecessors: ["1"])
    let (view, specs) = replicas(planner, gate: gate, count: 2, predecessors: records)
    let template = try #require(planner.replicaTemplate(for: specs[0], predecessors: records, launchInput: nil, in: view, memo: ScatterMemo()))
    for spec in specs {
        let index = try #require(spec.replicaPath.last)
        let reference = try #require(prepared(planner, spec, records, nil, view))
        #expect(reference.input["scatter_element"] != nil)
        #expect(stamped(template, index) == reference.input.jsonBytes)
    }
}

@Test func tasksWhosePreparationReadsTheElementHaveNoTemplate() throws {
    let records = [RunRecord(name: "1", taskID: "1", replicaPath: [], output: ["items": [1, 2]])]
    let gate = RunSpec(name: "2", taskID: "2", replicaPath: [], kind: .scatter, predecessors: ["1"])
    let perElement: [[String: JSONValue]] = [
        ["deploy_conditions": ["True"]],
        ["static_output": "predecessor_outputs['1']['items']"],
        ["transform_input": "input"],
    ]
    for extra in perElement {
        var properties: [String: JSONValue] = ["scatter": "predecessor_outputs['1']['items']"]
        properties.merge(extra) { _, new in new }
        let planner = try planner([TestSupport.task("1", ["2"], properties: start), TestSupport.task("2", properties: properties)])
        let (view, specs) = replicas(planner, gate: gate, count: 2, predecessors: records)
        #expect(planner.replicaTemplate(for: specs[0], predecessors: records, launchInput: nil, in: view, memo: ScatterMemo()) == nil,
                "\(extra.keys.sorted())")
    }
}

@Test func anElementPrepareWouldRefuseIsNotStamped() throws {
    let planner = try planner([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", properties: ["scatter": "predecessor_outputs['1']['items']"]),
    ])
    var deep: JSONValue = 1
    for _ in 0..<JSONParser.defaultMaxDepth { deep = [deep] }
    let records = [RunRecord(name: "1", taskID: "1", replicaPath: [], output: ["items": [1, "nul \u{0} here", deep]])]
    let gate = RunSpec(name: "2", taskID: "2", replicaPath: [], kind: .scatter, predecessors: ["1"])
    let (view, specs) = replicas(planner, gate: gate, count: 3, predecessors: records)
    let template = try #require(planner.replicaTemplate(for: specs[0], predecessors: records, launchInput: nil, in: view, memo: ScatterMemo()))
    #expect(template.accepts(replica: 0))
    #expect(!template.accepts(replica: 1), "a NUL character: prepare fails the run with input_rejected")
    #expect(!template.accepts(replica: 2), "too deep: prepare fails the run with input_too_deep")
    guard case .fail(let error) = planner.prepare(specs[2], predecessors: records, launchInput: nil, in: view) else {
        Issue.record("prepare accepted an input nested too deep")
        return
    }
    #expect(error.code == .inputTooDeep)
}
