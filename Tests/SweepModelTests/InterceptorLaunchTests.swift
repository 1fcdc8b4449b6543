import SweepJSON
import Testing
@testable import SweepModel

/// An interceptor is any executable a task may run as, launched as a one-task workflow (`InterceptorLaunch`), and
/// the call's next step is read from that run's recorded outcome (`InterceptorVerdict`).
@Suite struct InterceptorLaunchTests {
    func workflow(_ extra: [String: JSONValue]) throws(ValidationError) -> Workflow {
        var object: [String: JSONValue] = [
            "workflow_id": "be",
            "tasks": [["id": "1", "execution_configurations": [["function_def_id": "f", "priority": 1]], "successors": [],
                       "properties": ["position": "start"]]],
        ]
        for (key, value) in extra { object[key] = value }
        return try Workflow(json: .object(object))
    }

    @Test func anInterceptorIsAnyExecutionConfigurationWithABoundedTimeout() throws {
        let container = try workflow(["interceptor": ["container_def_id": "box"], "config": ["interceptor_timeout": 60]])
        #expect(container.backend.interceptor?.executable == .container(id: "box"))
        #expect(container.backend.interceptorFunctionID == nil)
        #expect(container.config.interceptorTimeout == 60)
        #expect(WorkflowValidator.problems(in: container, catalog: DefinitionCatalog(functionIDs: ["f"])).map(\.field) == ["/interceptor/container_def_id"])
        let executor = try workflow(["interceptor": ["executor_type": "guards", "function": "guard", "args": [1]]])
        #expect(executor.backend.interceptor?.executable == .executor(type: "guards", function: "guard", args: [1]))
        for (extra, field) in [
            (["interceptor": ["function_def_id": "f", "container_def_id": "box"]], "/interceptor"),
            (["interceptor": [:]], "/interceptor"),
            (["config": ["interceptor_timeout": 0]], "/config/interceptor_timeout"),
            (["config": ["interceptor_timeout": 301]], "/config/interceptor_timeout"),
        ] as [([String: JSONValue], String)] {
            do { _ = try workflow(extra); Issue.record("accepted \(extra)") } catch { #expect(error.field == field, "\(extra)") }
        }
    }

    @Test func theLaunchIsOneTaskThatSeesTheRequestNeverRetriedAndBounded() throws {
        let request: JSONValue = ["method": "POST", "url_params": [:], "req_body": ["var": 5], "req_form": [:]]
        let definition = InterceptorLaunch.definition(workflowID: "be", interceptor: ExecutionConfiguration(executable: .container(id: "box")),
                                                      timeoutSeconds: 7, request: request)
        let parsed = try Workflow(json: definition)
        #expect(parsed.tasks.map(\.id) == [InterceptorLaunch.taskID])
        let properties = definition["tasks"]?.arrayValue?.first?["properties"]
        #expect(properties?["max_runtime"] == .int(Int64(7 + InterceptorLaunch.runtimeGraceSeconds)) && properties?["retries"] == 0 && properties?["transform_input"] == "launch_input")
        // A container has no stdin: the request is a file in its working directory.
        #expect(properties?["input_files"]?.arrayValue?.first?["name"] == .string(InterceptorLaunch.requestFile))
        let function = InterceptorLaunch.definition(workflowID: "be", interceptor: ExecutionConfiguration(executable: .function(id: "f")),
                                                    timeoutSeconds: 7, request: request)
        #expect(function["tasks"]?.arrayValue?.first?["properties"]?["input_files"] == nil)
    }

    @Test func theAnswerReplacesOnlyTheSectionsItNames() {
        let request: JSONValue = ["method": "POST", "url_params": ["a": 1], "req_body": ["var": 5], "req_form": [:]]
        #expect(InterceptorLaunch.merged(request: request, answer: [:]) == request)
        #expect(InterceptorLaunch.merged(request: request, answer: ["req_body": ["var": 10], "sweep": ["x": 1]])
                == ["method": "POST", "url_params": ["a": 1], "req_body": ["var": 10], "req_form": [:]])
    }

    @Test func verdictsQuoteTheInterceptorsOwnWords() {
        func verdict(_ error: String) -> InterceptorVerdict { .of(succeeded: false, output: nil, error: error) }
        #expect(InterceptorVerdict.of(succeeded: true, output: ["req_body": [:]], error: nil) == .accepted(["req_body": [:]]))
        #expect(InterceptorVerdict.of(succeeded: true, output: nil, error: nil) == .failed("the interceptor must answer a JSON object of the request's shape"))
        #expect(verdict(#"the function answered HTTP 400: {"error": "var must not be negative"}"#) == .rejected("var must not be negative"))
        #expect(verdict(#"the function answered HTTP 403: {"error": {"message": "no"}}"#) == .rejected("no"))
        #expect(verdict("the function answered HTTP 418: teapot") == .rejected("teapot"))
        let long = String(repeating: "why ", count: 200)
        #expect(verdict("the function answered HTTP 422: {\"error\": \"\(long)\"}") == .rejected(long))
        #expect(verdict("the function answered HTTP 500: ") == .rejected("the interceptor refused the call (HTTP 500)"))
        #expect(verdict("the process exited with code 1: Traceback (most recent call last):\n  File \"x\"\nValueError: var must not be negative\n")
                == .rejected("var must not be negative"))
        #expect(verdict("the process exited with code 3: checking\ntoo old: 99\n") == .rejected("too old: 99"))
        #expect(verdict("the process exited with code 2") == .rejected("the interceptor exited with code 2"))
        #expect(verdict("ValueError: var must not be negative\nTraceback (most recent call last):\n") == .rejected("var must not be negative"))
        #expect(verdict("timed out after 2 s (max_task_runtime)") == .timedOut("the interceptor timed out after 2 s (max_task_runtime)"))
        #expect(verdict("cannot reach the function: connection refused") == .failed("cannot reach the function: connection refused"))
        #expect(verdict("the process was killed by signal 9") == .failed("the process was killed by signal 9"))
        if case .rejected(let long) = verdict(String(repeating: "x", count: 5000)) { #expect(long.count == 2000) } else { Issue.record("not a rejection") }
    }
}
