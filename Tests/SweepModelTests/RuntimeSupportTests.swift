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

@Test func everyV11FeatureRunsAndTheSwitchStillRefusesWhatABuildLacks() throws {
    #expect(RuntimeSupport.supported == Set(RuntimeSupport.Feature.allCases))
    let json = TestSupport.workflowJSON([TestSupport.task("1", properties: start.merging(["retries": 1]) { _, new in new })])
    let workflow = try Workflow.registering(json, catalog: DefinitionCatalog(functionIDs: ["f"], workflowVersions: ["child": 1]))
    let problems = RuntimeSupport.problems(in: workflow, supported: [])
    #expect(problems.count == 1 && problems.first?.code == .notSupportedYet)
    #expect(problems.first?.field == "/tasks/0/properties/retries")
}

@Test func retriesDisabledTasksAndMaxWaitTimeRun() {
    var withConfig = TestSupport.workflowJSON([TestSupport.task("1", properties: start)]).objectValue!
    withConfig["config"] = ["retries": 3]
    #expect(refusal(.object(withConfig)) == nil)
    #expect(refusal(TestSupport.workflowJSON([TestSupport.task("1", properties: start.merging([
        "retries": 2, "retry_delay": 1, "retry_backoff": 2, "retry_max_delay": 5, "enabled": false, "max_wait_time": 10,
    ]) { _, new in new })])) == nil)
}

@Test func whatRunsTodayIsAccepted() {
    let json = TestSupport.workflowJSON([TestSupport.task("1", properties: start.merging([
        "retries": 0, "enabled": true, "max_runtime": 5, "transform_input": "input", "label": "L", "description": "D",
    ]) { _, new in new })])
    #expect(refusal(json) == nil)
}

@Test func flippingTheSwitchAcceptsAFeature() throws {
    let workflow = try Workflow(json: TestSupport.workflowJSON([TestSupport.task("1", properties: start.merging(["retries": 2, "enabled": false]) { _, new in new })]))
    #expect(RuntimeSupport.problems(in: workflow, supported: []).map(\.field) == ["/tasks/0/properties/retries", "/tasks/0/properties/enabled"])
    #expect(RuntimeSupport.problems(in: workflow, supported: [.retries]).map(\.field) == ["/tasks/0/properties/enabled"])
    #expect(RuntimeSupport.problems(in: workflow, supported: Set(RuntimeSupport.Feature.allCases)).isEmpty)
}

@Test func storedDefinitionsStillDecodeForPlanning() throws {
    // The switch is a registration rule: a stored definition using a feature still decodes (e.g. after a flip back).
    let workflow = try Workflow(json: TestSupport.workflowJSON([TestSupport.task("1", properties: start.merging(["retries": 2]) { _, new in new })]))
    #expect(throws: Never.self) { try Planner(workflow: workflow) }
}
