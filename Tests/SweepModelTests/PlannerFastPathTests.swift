import SweepJSON
import Testing
@testable import SweepModel

private let start: [String: JSONValue] = ["position": "start"]

private func planner(_ tasks: [JSONValue]) throws -> Planner {
    try Planner(workflow: Workflow(json: TestSupport.workflowJSON(tasks)))
}

private func record(_ name: String, path: [Int] = []) -> RunRecord {
    RunRecord(name: name, taskID: String(name.prefix(1)), replicaPath: path, output: [:])
}

@Test func aChainSuccessorIsPlainAndMatchesTheSpecStartCreated() throws {
    let chain = try planner([TestSupport.task("1", ["2"], properties: start), TestSupport.task("2", ["3"]), TestSupport.task("3")])
    let spec = try #require(chain.plainSuccessor(of: record("1")))
    #expect(spec == RunSpec(name: "2", taskID: "2", replicaPath: [], kind: .task, predecessors: ["1"], delaySeconds: 0))
    #expect(chain.start().runs.contains(spec))
    #expect(chain.plainSuccessor(of: record("3")) == nil, "no successor")
}

@Test func successorsThatDependOnMoreThanTheRunAreNotPlain() throws {
    let fanOut = try planner([TestSupport.task("1", ["2", "3"], properties: start), TestSupport.task("2"), TestSupport.task("3")])
    #expect(fanOut.plainSuccessor(of: record("1")) == nil, "two successors")

    let join = try planner([TestSupport.task("0", ["1", "2"], properties: start), TestSupport.task("1", ["3"]), TestSupport.task("2", ["3"]), TestSupport.task("3")])
    #expect(join.plainSuccessor(of: record("1")) == nil, "the successor also waits for 2")

    let delayed = try planner([TestSupport.task("1", ["2"], properties: start), TestSupport.task("2", properties: ["delay": 5])])
    #expect(delayed.plainSuccessor(of: record("1")) == nil, "a delay needs the durable ready_at of the general path")
}

@Test func replicatedRunsAndSuccessorsAreNotPlain() throws {
    let scatter = try planner([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", ["3"], properties: ["scatter": "predecessor_outputs['1']['items']"]),
        TestSupport.task("3", properties: ["follow": "2"]),
    ])
    #expect(scatter.plainSuccessor(of: record("1")) == nil, "the successor scatters")
    #expect(scatter.plainSuccessor(of: RunRecord(name: "2_A", taskID: "2", replicaPath: [0], output: [:])) == nil, "a replica")

    let multiplied = try planner([TestSupport.task("1", ["2"], properties: start), TestSupport.task("2", properties: ["multiplicity": 2])])
    #expect(multiplied.plainSuccessor(of: record("1")) == nil)
}

@Test func leavesAreTasksNothingDependsOn() throws {
    let scatter = try planner([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", ["3"], properties: ["scatter": "predecessor_outputs['1']['items']"]),
        TestSupport.task("3", properties: ["follow": "2"]),
    ])
    #expect(scatter.isLeaf(taskID: "3"))
    #expect(!scatter.isLeaf(taskID: "2"), "its replicas feed 3's")
    #expect(!scatter.isLeaf(taskID: "1"))
    #expect(!scatter.isLeaf(taskID: "9"), "not a task of the workflow")
}
