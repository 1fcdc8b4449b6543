import SweepJSON
import Testing
@testable import SweepModel

// These rules need the real expression parser (branch `expr`).

private let start: [String: JSONValue] = ["position": "start"]

@Test func scatterSyntaxErrorNamesThePosition() {
    let problems = TestSupport.problems(TestSupport.workflowJSON([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", properties: ["scatter": "predecessor_outputs['1'][["]),
    ]))
    #expect(problems.first?.field == "/tasks/1/properties/scatter")
    #expect(problems.first?.code == .invalidExpression)
    #expect(problems.first?.message.contains("at position") == true)
}

@Test func deployConditionSyntaxErrorPointsAtTheCondition() {
    let problems = TestSupport.problems(TestSupport.workflowJSON([
        TestSupport.task("1", properties: ["position": "start", "deploy_conditions": ["True", "1 +"]]),
    ]))
    #expect(problems.first?.field == "/tasks/0/properties/deploy_conditions/1")
    #expect(problems.first?.code == .invalidExpression)
}

@Test func scatterAndMultiplicityConflict() {
    let problems = TestSupport.problems(TestSupport.workflowJSON([
        TestSupport.task("1", properties: ["position": "start", "multiplicity": 2, "scatter": "launch_input"]),
    ]))
    #expect(problems.first?.field == "/tasks/0/properties/scatter")
    #expect(problems.first?.code == .conflictingReplication)
}

@Test func environmentAndStaticOutputExpressionsMustParse() {
    let environment = TestSupport.problems(TestSupport.workflowJSON([
        TestSupport.task("1", container: "c", properties: ["position": "start", "environment": "predecessor_outputs["]),
    ]))
    #expect(environment.first?.field == "/tasks/0/properties/environment")
    #expect(environment.first?.code == .invalidExpression)
    let staticOutput = TestSupport.problems(TestSupport.workflowJSON([
        TestSupport.task("1", properties: ["position": "start", "static_output": ")"]),
    ]))
    #expect(staticOutput.first?.field == "/tasks/0/properties/static_output")
    #expect(staticOutput.first?.code == .invalidExpression)
}

@Test func expressionsMayReadOnlyTheTaskInput() {
    let problems = TestSupport.problems(TestSupport.workflowJSON([
        TestSupport.task("1", ["2"], properties: start),
        TestSupport.task("2", properties: ["deploy_conditions": ["predecesor_outputs['1'] != None"]]),
    ]))
    #expect(problems.first?.field == "/tasks/1/properties/deploy_conditions/0")
    #expect(problems.first?.code == .unknownName)
    #expect(problems.first?.message.contains("predecesor_outputs") == true)
}
