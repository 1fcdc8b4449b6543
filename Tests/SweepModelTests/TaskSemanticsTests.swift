import SweepJSON
import Testing
@testable import SweepModel

private let start: [String: JSONValue] = ["position": "start"]

/// The registration answer for a one-task workflow whose task has `properties` (plus start) and optional extras.
private func register(_ properties: [String: JSONValue], task extra: [String: JSONValue] = [:], workflow: [String: JSONValue] = [:],
                      catalog: DefinitionCatalog = TestSupport.exampleCatalog) -> ValidationError? {
    var task = TestSupport.task("1", container: properties["command"] == nil ? nil : "c", properties: start.merging(properties) { _, new in new }).objectValue!
    task.merge(extra) { _, new in new }
    if extra["type"] != nil, extra["execution_configurations"] == nil { task["execution_configurations"] = nil }
    var json = TestSupport.workflowJSON([.object(task)]).objectValue!
    json.merge(workflow) { _, new in new }
    do {
        _ = try Workflow.registering(.object(json), catalog: catalog)
        return nil
    } catch {
        return error
    }
}

@Test func everyNewPropertyIsReadWhenValid() throws {
    let workflow = try TestSupport.workflow("""
        {"workflow_id": "w", "config": {"retries": 2, "retry_delay": 1.5, "retry_backoff": 2, "retry_max_delay": 10},
         "tasks": [{"id": "1", "execution_configurations": [{"function_def_id": "f"}], "properties": {"position": "start",
           "retries": 0, "retry_delay": 0, "retry_backoff": 1.5, "retry_max_delay": 3, "max_runtime": 5, "max_wait_time": 0.5,
           "transform_input": "[param, input['predecessor_outputs']]", "enabled": true, "label": "Upper-case", "description": "line one\\nline two"}}]}
        """)
    let semantics = workflow.tasks[0].properties.semantics
    #expect(semantics.retry == RetrySettings(retries: 0, delay: 0, backoff: 1.5, maxDelay: 3))
    #expect(semantics.maxRuntime == 5)
    #expect(semantics.maxWaitTime == 0.5)
    #expect(semantics.transformInput?.source == "[param, input['predecessor_outputs']]")
    #expect(semantics.enabled)
    #expect(semantics.label == "Upper-case")
    #expect(semantics.description == "line one\nline two")
    #expect(workflow.config.retry == RetrySettings(retries: 2, delay: 1.5, backoff: 2, maxDelay: 10))
}

@Test func absentPropertiesKeepTheDefaults() throws {
    let workflow = try Workflow(json: TestSupport.workflowJSON([TestSupport.task("1", properties: start)]))
    #expect(workflow.tasks[0].properties.semantics == TaskSemantics())
    #expect(workflow.tasks[0].kind == .executable)
    #expect(workflow.config.retry == RetrySettings())
    #expect(workflow.output == nil)
}

@Test func badValuesAre422WithTheirPointer() {
    let cases: [([String: JSONValue], String, ValidationError.Code)] = [
        (["retries": -1], "/tasks/0/properties/retries", .outOfRange),
        (["retries": 101], "/tasks/0/properties/retries", .outOfRange),
        (["retries": 1.5], "/tasks/0/properties/retries", .invalidType),
        (["retries": "3"], "/tasks/0/properties/retries", .invalidType),
        (["retry_delay": -0.1], "/tasks/0/properties/retry_delay", .outOfRange),
        (["retry_delay": "1s"], "/tasks/0/properties/retry_delay", .invalidType),
        (["retry_delay": 34_560_000], "/tasks/0/properties/retry_delay", .outOfRange),
        (["retry_backoff": 0.5], "/tasks/0/properties/retry_backoff", .outOfRange),
        (["retry_backoff": true], "/tasks/0/properties/retry_backoff", .invalidType),
        (["retry_max_delay": -1], "/tasks/0/properties/retry_max_delay", .outOfRange),
        (["max_runtime": 0], "/tasks/0/properties/max_runtime", .outOfRange),
        (["max_runtime": 2.5], "/tasks/0/properties/max_runtime", .invalidType),
        (["max_wait_time": 0], "/tasks/0/properties/max_wait_time", .outOfRange),
        (["max_wait_time": [1]], "/tasks/0/properties/max_wait_time", .invalidType),
        (["transform_input": 3], "/tasks/0/properties/transform_input", .invalidType),
        (["transform_input": "input["], "/tasks/0/properties/transform_input", .invalidExpression),
        (["transform_input": "inputs['x']"], "/tasks/0/properties/transform_input", .unknownName),
        (["transform_input": "__import__('os')"], "/tasks/0/properties/transform_input", .invalidExpression),
        (["enabled": "no"], "/tasks/0/properties/enabled", .invalidType),
        (["enabled": 0], "/tasks/0/properties/enabled", .invalidType),
        (["label": 5], "/tasks/0/properties/label", .invalidType),
        (["label": .string(String(repeating: "x", count: 201))], "/tasks/0/properties/label", .tooLarge),
        (["label": "two\nlines"], "/tasks/0/properties/label", .invalidValue),
        (["description": .string(String(repeating: "x", count: 4097))], "/tasks/0/properties/description", .tooLarge),
        (["description": "bell\u{07}"], "/tasks/0/properties/description", .invalidValue),
        (["command": "ls -l"], "/tasks/0/properties/command", .invalidCommand),
        (["command": "['echo', undefined_name]"], "/tasks/0/properties/command", .invalidCommand),
    ]
    for (properties, field, code) in cases {
        let error = register(properties)
        #expect(error?.field == field && error?.code == code, "\(properties): \(String(describing: error))")
    }
}

@Test func configDefaultsAreCheckedLikeTaskProperties() {
    let cases: [([String: JSONValue], String, ValidationError.Code)] = [
        (["retries": 200], "/config/retries", .outOfRange),
        (["retry_delay": -1], "/config/retry_delay", .outOfRange),
        (["retry_backoff": 0], "/config/retry_backoff", .outOfRange),
        (["retry_max_delay": "x"], "/config/retry_max_delay", .invalidType),
    ]
    for (config, field, code) in cases {
        let error = register([:], workflow: ["config": .object(config)])
        #expect(error?.field == field && error?.code == code, "\(config): \(String(describing: error))")
    }
    #expect(register([:], workflow: ["config": ["retries": 0, "retry_delay": 2, "retry_backoff": 3]]) == nil)
}

@Test func labelsDescriptionsRuntimeTransformAndCommandExpressionsRegister() {
    #expect(register(["label": "Reverse", "description": "Reverses\tthe string\n", "max_runtime": 30, "transform_input": "input", "retries": 0, "enabled": true]) == nil)
    #expect(register(["command": "['sh', '-c', 'echo ' + str(static_input)]"]) == nil)
    #expect(register(["command": ["echo", "fixed"]]) == nil)
}

@Test func taskKindsParseTheirParameters() throws {
    let workflow = try TestSupport.workflow("""
        {"workflow_id": "w", "tasks": [
          {"id": "1", "type": "timer", "successors": ["2"], "properties": {"position": "start", "duration": 1.5}},
          {"id": "2", "type": "signal", "successors": ["3", "4"], "properties": {"timeout": 60}},
          {"id": "3", "type": "signal", "execution_configurations": []},
          {"id": "4", "type": "workflow", "properties": {"workflow_id": "child", "version": 2}},
          {"id": "5", "type": "workflow", "properties": {"workflow_id": "child"}}]}
        """)
    #expect(workflow.tasks.map(\.kind) == [.timer(duration: 1.5), .signal(timeout: 60), .signal(timeout: nil),
                                           .workflow(workflowID: "child", version: 2), .workflow(workflowID: "child", version: nil)])
    #expect(workflow.tasks.allSatisfy { $0.executionConfigurations.isEmpty && !$0.isContainerTask })
}

@Test func taskKindErrorsPointAtTheField() {
    let cases: [([String: JSONValue], [String: JSONValue], String, ValidationError.Code)] = [
        (["type": "sleep"], [:], "/tasks/0/type", .invalidValue),
        (["type": 3], [:], "/tasks/0/type", .invalidType),
        (["type": "timer"], [:], "/tasks/0/properties/duration", .missingField),
        (["type": "timer"], ["duration": -1], "/tasks/0/properties/duration", .outOfRange),
        (["type": "timer"], ["duration": "30s"], "/tasks/0/properties/duration", .invalidType),
        (["type": "signal"], ["timeout": 0], "/tasks/0/properties/timeout", .outOfRange),
        (["type": "workflow"], [:], "/tasks/0/properties/workflow_id", .missingField),
        (["type": "workflow"], ["workflow_id": "a b"], "/tasks/0/properties/workflow_id", .invalidIdentifier),
        (["type": "workflow"], ["workflow_id": "child", "version": 0], "/tasks/0/properties/version", .outOfRange),
        (["type": "timer", "execution_configurations": [["function_def_id": "f"]]], ["duration": 1], "/tasks/0/execution_configurations", .invalidTaskKind),
    ]
    for (extra, properties, field, code) in cases {
        let error = register(properties, task: extra)
        #expect(error?.field == field && error?.code == code, "\(extra) \(properties): \(String(describing: error))")
    }
}

@Test func childWorkflowsAreCheckedStatically() {
    let catalog = DefinitionCatalog(functionIDs: ["f"], workflowVersions: ["child": 3, "w": 2])
    let cases: [([String: JSONValue], String, ValidationError.Code)] = [
        (["workflow_id": "w"], "/tasks/0/properties/workflow_id", .workflowCycle),
        (["workflow_id": "nobody"], "/tasks/0/properties/workflow_id", .unknownWorkflow),
        (["workflow_id": "child", "version": 4], "/tasks/0/properties/version", .unknownWorkflowVersion),
    ]
    for (properties, field, code) in cases {
        let error = register(properties, task: ["type": "workflow"], catalog: catalog)
        #expect(error?.field == field && error?.code == code, "\(properties): \(String(describing: error))")
    }
    // Valid references register (workflow tasks run: RuntimeSupport.supported).
    #expect(register(["workflow_id": "child", "version": 3], task: ["type": "workflow"], catalog: catalog) == nil)
    #expect(register(["workflow_id": "w", "version": 1], task: ["type": "workflow"], catalog: catalog) == nil)
}

@Test func executorTypeConfigurationsParse() throws {
    let configuration = try ExecutionConfiguration(json: ["executor_type": "python-executor", "function": "gen_nums", "args": [1, "a"], "priority": 2], at: .root)
    #expect(configuration.executable == .executor(type: "python-executor", function: "gen_nums", args: [1, "a"]))
    #expect(configuration.priority == 2)
    #expect(try ExecutionConfiguration(json: ["executor_type": "x", "function": "f"], at: .root).executable == .executor(type: "x", function: "f", args: []))
    let cases: [(JSONValue, String, ValidationError.Code)] = [
        (["executor_type": "x"], "/function", .missingField),
        (["executor_type": "", "function": "f"], "/executor_type", .invalidValue),
        (["executor_type": "a b", "function": "f"], "/executor_type", .invalidIdentifier),
        (["executor_type": "x", "function": "f", "args": "a"], "/args", .invalidType),
        (["executor_type": "x", "function": "f", "function_def_id": "g"], "", .invalidExecutionConfiguration),
        (["executor_type": "x", "function": "f", "priority": "high"], "/priority", .invalidType),
    ]
    for (json, field, code) in cases {
        do {
            _ = try ExecutionConfiguration(json: json, at: .root)
            Issue.record("expected \(code) at \(field)")
        } catch {
            #expect(error.field == field && error.code == code, "\(json): \(error)")
        }
    }
}

@Test func workflowOutputIsAnExpressionOverTaskOutputs() throws {
    var json = TestSupport.workflowJSON([TestSupport.task("1", properties: start)]).objectValue!
    json["output"] = "task_outputs['1']['result']"
    #expect(try Workflow(json: .object(json)).output?.source == "task_outputs['1']['result']")
    for (value, code) in [(JSONValue.int(3), ValidationError.Code.invalidType), ("predecessor_outputs", .unknownName), ("task_outputs[", .invalidExpression)] {
        json["output"] = value
        #expect(throws: ValidationError.self) { try Workflow(json: .object(json)) }
        do { _ = try Workflow(json: .object(json)) } catch { #expect(error.field == "/output" && error.code == code) }
    }
}
