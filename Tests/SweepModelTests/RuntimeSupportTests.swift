import SweepJSON
import Testing
@testable import SweepModel

private let start: [String: JSONValue] = ["position": "start"]

private func refusal(_ json: JSONValue) -> ValidationError? {
    do {
        _ = try Workflow.registering(json, catalog: DefinitionCatalog(functionIDs: ["f"], workflowVersions: ["child": 1]))
        return nil
    } catch {
        return error
    }
}

@Test func featuresWithoutTheirTransitionAreRefusedNamingTheField() {
    let one = { (properties: [String: JSONValue]) in TestSupport.workflowJSON([TestSupport.task("1", properties: start.merging(properties) { _, new in new })]) }
    var withConfig = one([:]).objectValue!
    withConfig["config"] = ["retries": 3]
    var withOutput = one([:]).objectValue!
    withOutput["output"] = "task_outputs['1']"
    let cases: [(JSONValue, String)] = [
        (one(["retries": 1]), "/tasks/0/properties/retries"),
        (.object(withConfig), "/config/retries"),
        (one(["enabled": false]), "/tasks/0/properties/enabled"),
        (one(["max_wait_time": 10]), "/tasks/0/properties/max_wait_time"),
        (.object(withOutput), "/output"),
        (TestSupport.workflowJSON([["id": "1", "type": "timer", "properties": ["position": "start", "duration": 1]]]), "/tasks/0/type"),
        (TestSupport.workflowJSON([["id": "1", "type": "signal", "properties": ["position": "start"]]]), "/tasks/0/type"),
        (TestSupport.workflowJSON([["id": "1", "type": "workflow", "properties": ["position": "start", "workflow_id": "child"]]]), "/tasks/0/type"),
    ]
    for (json, field) in cases {
        let error = refusal(json)
        #expect(error?.code == .notSupportedYet && error?.field == field, "\(field): \(String(describing: error))")
        #expect(error?.message.contains("not supported yet") == true)
    }
}

@Test func whatRunsTodayIsAccepted() {
    let json = TestSupport.workflowJSON([TestSupport.task("1", properties: start.merging([
        "retries": 0, "enabled": true, "max_runtime": 5, "transform_input": "input", "label": "L", "description": "D",
    ]) { _, new in new })])
    #expect(refusal(json) == nil)
}

@Test func flippingTheSwitchAcceptsAFeature() throws {
    let workflow = try Workflow(json: TestSupport.workflowJSON([TestSupport.task("1", properties: start.merging(["retries": 2, "enabled": false]) { _, new in new })]))
    #expect(RuntimeSupport.problems(in: workflow).map(\.field) == ["/tasks/0/properties/retries", "/tasks/0/properties/enabled"])
    #expect(RuntimeSupport.problems(in: workflow, supported: [.retries]).map(\.field) == ["/tasks/0/properties/enabled"])
    #expect(RuntimeSupport.problems(in: workflow, supported: Set(RuntimeSupport.Feature.allCases)).isEmpty)
}

@Test func storedDefinitionsStillDecodeForPlanning() throws {
    // The switch is a registration rule: a stored definition using a feature still decodes (e.g. after a flip back).
    let workflow = try Workflow(json: TestSupport.workflowJSON([TestSupport.task("1", properties: start.merging(["retries": 2]) { _, new in new })]))
    #expect(throws: Never.self) { try Planner(workflow: workflow) }
}
