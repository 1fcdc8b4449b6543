import SweepJSON
import Testing
@testable import SweepModel

@Test func exampleOneDecodesAsWritten() throws {
    let workflow = try TestSupport.workflow(SweepExamples.example1)
    #expect(workflow.id == "example1")
    #expect(workflow.config == WorkflowConfig())
    #expect(workflow.tasks.map(\.id) == ["1", "2", "3", "4"])
    #expect(workflow.tasks[0].successors == ["2", "3", "4"])
    #expect(workflow.tasks[0].properties.isStart)
    #expect(workflow.tasks[1].properties.staticInput == ["msg": "static input message"])
    #expect(workflow.tasks[2].properties.delay == 10)
    #expect(workflow.tasks[3].executionConfigurations == [ExecutionConfiguration(executable: .function(id: "my_lambda_function4"), priority: 1)])
    #expect(WorkflowValidator.problems(in: workflow, catalog: TestSupport.exampleCatalog).isEmpty)
}

@Test func exampleSixNormalizesNumericIDsAndReadsOverrides() throws {
    let workflow = try TestSupport.workflow(SweepExamples.example6)
    #expect(workflow.tasks[0].id == "1")
    #expect(workflow.tasks[0].isContainerTask)
    #expect(workflow.tasks[0].properties.command == .arguments(["sh", "-c", "printenv USERNAME"]))
    #expect(workflow.tasks[0].properties.environment == .variables([
        EnvironmentVariable(name: "USERNAME", value: "ka"), EnvironmentVariable(name: "IND", value: "1"),
    ]))
    #expect(WorkflowValidator.problems(in: workflow, catalog: TestSupport.exampleCatalog).isEmpty)
}

@Test func numericAndStringIDsNameTheSameTask() throws {
    let workflow = try Workflow(json: TestSupport.workflowJSON([
        TestSupport.task("1", [2], properties: ["position": "start"]),
        TestSupport.task(2, ["3"], properties: ["follow": 1, "multiplicity": 2]),
        TestSupport.task(3.0),
    ]))
    #expect(workflow.tasks.map(\.id) == ["1", "2", "3"])
    #expect(workflow.tasks[0].successors == ["2"])
    #expect(workflow.tasks[1].properties.follow == "1")
}

@Test func unknownKeysAndMissingConfigAreTolerated() throws {
    let workflow = try Workflow(json: [
        "workflow_id": "w", "providers": [], "extra": ["x": 1],
        "tasks": [TestSupport.task("1", properties: ["position": "start", "note": "kept"])],
    ])
    #expect(workflow.config.maxTaskConcurrency == nil)
    #expect(workflow.definition["providers"] == [])
}

@Test func configIsRead() throws {
    let workflow = try Workflow(json: ["workflow_id": "w", "config": ["max_task_concurrency": 4, "max_task_runtime": 60],
                                       "tasks": [TestSupport.task("1", properties: ["position": "start"])]])
    #expect(workflow.config == WorkflowConfig(maxTaskConcurrency: 4, maxTaskRuntime: 60))
}

@Test func executionConfigurationsOrderByPriority() throws {
    let workflow = try Workflow(json: ["workflow_id": "w", "tasks": [[
        "id": "1", "successors": [], "properties": ["position": "start"],
        "execution_configurations": [["function_def_id": "b", "priority": 2], ["function_def_id": "a", "priority": 1]],
    ]]])
    #expect(workflow.tasks[0].executionConfigurationsByPriority.map(\.executable) == [.function(id: "a"), .function(id: "b")])
}
