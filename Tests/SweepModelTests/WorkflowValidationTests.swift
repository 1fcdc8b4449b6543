import SweepJSON
import Testing
@testable import SweepModel

/// One test per registration rule: the expected problem, with the pointer into the posted document.
private func expectProblem(_ tasks: [JSONValue], field: String, code: ValidationError.Code, message: String? = nil,
                           catalog: DefinitionCatalog = TestSupport.exampleCatalog, sourceLocation: SourceLocation = #_sourceLocation) {
    let problems = TestSupport.problems(TestSupport.workflowJSON(tasks), catalog: catalog)
    let match = problems.first { $0.field == field && $0.code == code }
    #expect(match != nil, "expected \(code) at \(field), got \(problems)", sourceLocation: sourceLocation)
    if let message, let match {
        #expect(match.message.contains(message), "message: \(match.message)", sourceLocation: sourceLocation)
    }
}

private let start: [String: JSONValue] = ["position": "start"]

@Test func validWorkflowHasNoProblems() {
    #expect(TestSupport.problems(TestSupport.workflowJSON([TestSupport.task("1", ["2"], properties: start), TestSupport.task("2")])).isEmpty)
}

@Test func missingStartTask() {
    expectProblem([TestSupport.task("1", ["2"]), TestSupport.task("2")], field: "/tasks", code: .missingStartTask)
}

@Test func multipleStartTasks() {
    expectProblem([TestSupport.task("1", ["2"], properties: start), TestSupport.task("2", properties: start)],
                  field: "/tasks/1/properties/position", code: .multipleStartTasks)
}

@Test func unknownSuccessor() {
    expectProblem([TestSupport.task("1", ["2", "9"], properties: start), TestSupport.task("2")],
                  field: "/tasks/0/successors/1", code: .unknownSuccessor, message: "9")
}

@Test func cycleIsNamed() {
    expectProblem([TestSupport.task("1", ["2"], properties: start), TestSupport.task("2", ["3"]), TestSupport.task("3", ["2"])],
                  field: "/tasks/2/successors/0", code: .cycle, message: "cycle 2 -> 3 -> 2")
}

@Test func selfLoopIsACycle() {
    expectProblem([TestSupport.task("1", ["1"], properties: start)], field: "/tasks/0/successors/0", code: .cycle, message: "1 -> 1")
}

@Test func unreachableTask() {
    expectProblem([TestSupport.task("1", properties: start), TestSupport.task("2", ["3"]), TestSupport.task("3")],
                  field: "/tasks/1", code: .unreachableTask, message: "task 2")
}

@Test func duplicateTaskID() {
    expectProblem([TestSupport.task("1", ["2"], properties: start), TestSupport.task(2), TestSupport.task("2")],
                  field: "/tasks/2/id", code: .duplicateTaskID)
}

@Test func taskIDThatLooksLikeAReplica() {
    expectProblem([TestSupport.task("2", ["2_A"], properties: start), TestSupport.task("2_A")],
                  field: "/tasks/1/id", code: .ambiguousTaskID)
}

@Test func executionConfigurationNamesExactlyOneExecutable() {
    let both: JSONValue = ["id": "1", "successors": [], "properties": ["position": "start"],
                           "execution_configurations": [["function_def_id": "f", "container_def_id": "c", "priority": 1]]]
    #expect(TestSupport.problems(TestSupport.workflowJSON([both])).first.map { "\($0.field) \($0.code)" }
            == "/tasks/0/execution_configurations/0 invalid_execution_configuration")
    let neither: JSONValue = ["id": "1", "successors": [], "execution_configurations": [["priority": 1]]]
    #expect(TestSupport.problems(TestSupport.workflowJSON([neither])).first?.code == .invalidExecutionConfiguration)
    let none: JSONValue = ["id": "1", "successors": [], "execution_configurations": []]
    #expect(TestSupport.problems(TestSupport.workflowJSON([none])).first.map { "\($0.field) \($0.code)" }
            == "/tasks/0/execution_configurations invalid_execution_configuration")
}

@Test func functionMustBeRegisteredBySameUser() {
    expectProblem([TestSupport.task("1", properties: start)], field: "/tasks/0/execution_configurations/0/function_def_id",
                  code: .unknownFunction, catalog: DefinitionCatalog(functionIDs: ["other"], containerIDs: ["c"]))
}

@Test func containerMustBeRegisteredBySameUser() {
    expectProblem([TestSupport.task("1", container: "mine", properties: start)],
                  field: "/tasks/0/execution_configurations/0/container_def_id", code: .unknownContainer)
}

@Test func followMustNameATask() {
    expectProblem([TestSupport.task("1", ["2"], properties: ["position": "start", "multiplicity": 2]), TestSupport.task("2", properties: ["follow": "9"])],
                  field: "/tasks/1/properties/follow", code: .unknownFollowTarget)
}

@Test func followMustNameAReplicatedTask() {
    expectProblem([TestSupport.task("1", ["2"], properties: start), TestSupport.task("2", properties: ["follow": "1"])],
                  field: "/tasks/1/properties/follow", code: .followNotReplicated)
}

@Test func followMustNameAnAncestor() {
    expectProblem([TestSupport.task("1", ["2", "3"], properties: start),
                   TestSupport.task("2", properties: ["multiplicity": 3]),
                   TestSupport.task("3", properties: ["follow": "2"])],
                  field: "/tasks/2/properties/follow", code: .followNotAncestor)
}

@Test func followOfAFollowerIsReplicated() {
    #expect(TestSupport.problems(TestSupport.workflowJSON([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", ["3"], properties: ["multiplicity": 3]),
        TestSupport.task("3", ["4"], properties: ["follow": "2"]),
        TestSupport.task("4", properties: ["follow": "3"]),
    ])).isEmpty)
}

@Test func environmentOnlyOnContainerTasks() {
    expectProblem([TestSupport.task("1", properties: ["position": "start", "environment": [["name": "A", "value": "1"]]])],
                  field: "/tasks/0/properties/environment", code: .containerOnlyProperty)
}

@Test func commandOnlyOnContainerTasks() {
    expectProblem([TestSupport.task("1", properties: ["position": "start", "command": ["ls"]])],
                  field: "/tasks/0/properties/command", code: .containerOnlyProperty)
}

@Test func environmentMustBeNameValueListOrExpression() {
    expectProblem([TestSupport.task("1", container: "c", properties: ["position": "start", "environment": [["name": "A", "value": ["x"]]]])],
                  field: "/tasks/0/properties/environment/0", code: .invalidEnvironment)
    expectProblem([TestSupport.task("1", container: "c", properties: ["position": "start", "environment": ["A": "1"]])],
                  field: "/tasks/0/properties/environment", code: .invalidEnvironment)
}

@Test func commandMustBeAListOfStrings() {
    expectProblem([TestSupport.task("1", container: "c", properties: ["position": "start", "command": "ls -l"])],
                  field: "/tasks/0/properties/command", code: .invalidCommand)
    expectProblem([TestSupport.task("1", container: "c", properties: ["position": "start", "command": ["ls", 2]])],
                  field: "/tasks/0/properties/command/1", code: .invalidCommand)
}

@Test func delayMustBeANonNegativeIntegerWithinAYear() {
    expectProblem([TestSupport.task("1", properties: ["position": "start", "delay": -1])], field: "/tasks/0/properties/delay", code: .outOfRange)
    expectProblem([TestSupport.task("1", properties: ["position": "start", "delay": 40_000_000])], field: "/tasks/0/properties/delay", code: .outOfRange)
    expectProblem([TestSupport.task("1", properties: ["position": "start", "delay": 1.5])], field: "/tasks/0/properties/delay", code: .invalidType)
    expectProblem([TestSupport.task("1", properties: ["position": "start", "delay": "10"])], field: "/tasks/0/properties/delay", code: .invalidType)
}

@Test func multiplicityMustBeWithinBounds() {
    expectProblem([TestSupport.task("1", properties: ["position": "start", "multiplicity": 100_001])], field: "/tasks/0/properties/multiplicity", code: .outOfRange)
    expectProblem([TestSupport.task("1", properties: ["position": "start", "multiplicity": -2])], field: "/tasks/0/properties/multiplicity", code: .outOfRange)
}

@Test func tooManyTasks() {
    let tasks = (0...ModelLimits.maxTasks).map { TestSupport.task(.string("t\($0)")) }
    expectProblem(tasks, field: "/tasks", code: .tooManyTasks)
}

@Test func wrongTypesPointAtTheField() {
    let cases: [(JSONValue, String, ValidationError.Code)] = [
        (["tasks": []], "/workflow_id", .missingField),
        (["workflow_id": "w"], "/tasks", .missingField),
        (["workflow_id": "w", "tasks": "x"], "/tasks", .invalidType),
        (["workflow_id": "w", "config": ["max_task_concurrency": "4"], "tasks": [TestSupport.task("1", properties: start)]], "/config/max_task_concurrency", .invalidType),
        (TestSupport.workflowJSON([TestSupport.task("1", properties: start), "task"]), "/tasks/1", .invalidType),
        (TestSupport.workflowJSON([TestSupport.task(true, properties: start)]), "/tasks/0/id", .invalidType),
        (TestSupport.workflowJSON([TestSupport.task("1", [["x"]], properties: start)]), "/tasks/0/successors/0", .invalidType),
        (TestSupport.workflowJSON([TestSupport.task("1", properties: ["position": "start", "scatter": 3])]), "/tasks/0/properties/scatter", .invalidType),
        (TestSupport.workflowJSON([TestSupport.task("1", properties: ["position": "start", "deploy_conditions": "x"])]), "/tasks/0/properties/deploy_conditions", .invalidType),
    ]
    for (json, field, code) in cases {
        let problem = TestSupport.problems(json).first
        #expect(problem?.field == field, "\(json.jsonString): \(String(describing: problem))")
        #expect(problem?.code == code, "\(json.jsonString): \(String(describing: problem))")
    }
}

@Test func registeringThrowsTheFirstProblem() throws {
    #expect(throws: ValidationError.self) {
        try Workflow.registering(TestSupport.workflowJSON([TestSupport.task("1")]), catalog: TestSupport.exampleCatalog)
    }
    let workflow = try Workflow.registering(TestSupport.json(SweepExamples.example1), catalog: TestSupport.exampleCatalog)
    #expect(workflow.id == "example1")
}
