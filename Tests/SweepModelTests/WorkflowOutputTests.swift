import SweepExpression
import SweepJSON
import Testing
@testable import SweepModel

@Test func outputExpressionReadsTaskOutputs() throws {
    let expression = try Expression(parsing: "{'total': sum(task_outputs['2']), 'first': task_outputs['1']['v']}")
    let outputs: [String: JSONValue] = ["1": ["v": "x"], "2": [1, 2, 3]]
    #expect(WorkflowOutput.evaluate(expression, taskOutputs: outputs) == .success(["total": 6, "first": "x"]))
}

@Test func aRaisingOutputExpressionIsAnOutputError() throws {
    let result = WorkflowOutput.evaluate(try Expression(parsing: "task_outputs['nope']"), taskOutputs: [:])
    guard case .failure(let error) = result else { Issue.record("expected a failure"); return }
    #expect(error.code == .outputFailed)
}

@Test func taskOutputsGroupReplicasInOrderAndNestLevels() {
    let records = [
        RunRecord(name: "1", taskID: "1", replicaPath: [], output: ["v": 1]),
        RunRecord(name: "2_B", taskID: "2", replicaPath: [1], output: "b"),
        RunRecord(name: "2_A", taskID: "2", replicaPath: [0], output: "a"),
        RunRecord(name: "3_A_B", taskID: "3", replicaPath: [0, 1], output: "ab"),
        RunRecord(name: "3_B_A", taskID: "3", replicaPath: [1, 0], output: "ba"),
        RunRecord(name: "4_C", taskID: "4", replicaPath: [2], output: "c"),
    ]
    let outputs = WorkflowOutput.taskOutputs(records)
    #expect(outputs["1"] == ["v": 1])
    #expect(outputs["2"] == ["a", "b"])
    #expect(outputs["3"] == [[.null, "ab"], ["ba"]])
    // Replicas without a record (did not succeed) keep their place as None.
    #expect(outputs["4"] == [.null, .null, "c"])
}
