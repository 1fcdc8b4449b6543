import SweepJSON
import Testing
@testable import SweepModel

@Suite struct BackendDefinitionTests {
    func workflow(_ extra: [String: JSONValue]) throws(ValidationError) -> Workflow {
        var object: [String: JSONValue] = [
            "workflow_id": "be",
            "tasks": [["id": "1", "execution_configurations": [["function_def_id": "f", "priority": 1]], "successors": [],
                       "properties": ["position": "start"]]],
        ]
        for (key, value) in extra { object[key] = value }
        return try Workflow(json: .object(object))
    }

    @Test func parsesRequestResponseInterceptorAndCallTimeout() throws {
        let parsed = try workflow([
            "request": ["url_params": [["name": "age", "type": "integer", "required": true]],
                        "body": [["name": "color", "type": "enum", "options": ["red", "green"], "default": "red"]]],
            "response": [["name": "metrics", "fields": [["name": "value", "type": "number", "required": true]]]],
            "interceptor": ["function_def_id": "f"],
            "config": ["call_timeout": 120],
        ])
        #expect(parsed.backend.request?.urlParams.map(\.name) == ["age"])
        #expect(parsed.backend.response.map(\.name) == ["metrics"])
        #expect(parsed.backend.interceptorFunctionID == "f")
        #expect(parsed.config.callTimeout == 120)
        #expect(WorkflowValidator.problems(in: parsed, catalog: DefinitionCatalog(functionIDs: ["f"])).isEmpty)
        #expect(WorkflowValidator.problems(in: parsed, catalog: DefinitionCatalog(functionIDs: ["g"])).map(\.field).contains("/interceptor/function_def_id"))
    }

    @Test func refusesBadSchemasWithTheirField() {
        let cases: [([String: JSONValue], String)] = [
            (["request": ["url_params": [["name": "a", "type": "date"]]]], "/request/url_params/0/type"),
            (["request": ["body": [["name": "a", "type": "enum"]]]], "/request/body/0/options"),
            (["request": ["body": [["name": "a", "type": "string", "regex": "(a"]]]], "/request/body/0/regex"),
            (["request": ["body": [["name": "a", "type": "integer", "regex": "a"]]]], "/request/body/0/regex"),
            (["request": ["body": [["name": "a", "type": "integer", "default": "x"]]]], "/request/body/0/default"),
            (["request": ["form": [["name": "a", "type": "string"], ["name": "a", "type": "string"]]]], "/request/form/1/name"),
            (["response": [["name": "m", "fields": [["name": "v", "type": "thing"]]]]], "/response/0/fields/0/type"),
            (["response": "m"], "/response"),
            (["interceptor": ["function_def_id": ""]], "/interceptor/function_def_id"),
            (["config": ["call_timeout": 0]], "/config/call_timeout"),
            (["config": ["call_timeout": 3601]], "/config/call_timeout"),
        ]
        for (extra, field) in cases {
            #expect(throws: ValidationError.self) { try workflow(extra) }
            do { _ = try workflow(extra) } catch { #expect(error.field == field, "\(extra)") }
        }
    }

    @Test func callInputFillsDefaultsCoercesQueryTextAndPointsAtTheField() throws {
        let schema = try workflow(["request": [
            "url_params": [["name": "age", "type": "integer", "required": true], ["name": "on", "type": "boolean", "default": false],
                           ["name": "code", "type": "string", "regex": "^[A-Z]{3}$"]],
            "body": [["name": "var", "type": "number", "required": true]],
            "form": [["name": "kind", "type": "enum", "options": [1, 2]]],
        ]]).backend.request!
        let input = try schema.input(method: "POST", urlParams: ["age": "30", "code": "ABC", "x": "y"], body: ["var": 5], form: ["kind": "2"])
        #expect(input == ["method": "POST", "url_params": ["age": 30, "on": false, "code": "ABC", "x": "y"], "req_body": ["var": 5], "req_form": ["kind": 2]])
        func field(_ params: [String: String], _ body: JSONValue?, _ form: [String: String] = [:]) -> String? {
            do { _ = try schema.input(method: "GET", urlParams: params, body: body, form: form); return nil } catch { return error.field }
        }
        #expect(field([:], ["var": 1]) == "/url_params/age")
        #expect(field(["age": "x"], ["var": 1]) == "/url_params/age")
        #expect(field(["age": "1", "code": "abc"], ["var": 1]) == "/url_params/code")
        #expect(field(["age": "1"], ["var": "5"]) == "/body/var")  // JSON bodies are not coerced
        #expect(field(["age": "1"], ["var": 1], ["kind": "3"]) == "/form/kind")
        #expect(field(["age": "1"], [1, 2]) == "/body")
    }

    @Test func responseItemsCheckTheirObjects() throws {
        let item = try workflow(["response": [["name": "m", "fields": [["name": "value", "type": "number", "required": true],
                                                                         ["name": "unit", "type": "string", "default": "s"]]]]]).backend.response[0]
        #expect(try item.check(["value": 2], at: .root / "data" / 0) == ["value": 2, "unit": "s"])
        #expect(throws: ValidationError.self) { try item.check(["value": "2"], at: .root / "data" / 0) }
        do { _ = try item.check([:], at: .root / "data" / 3) } catch { #expect(error.field == "/data/3/value") }
    }

    @Test func openAPIFragmentDescribesTheCall() throws {
        let parsed = try workflow(["request": ["url_params": [["name": "age", "type": "integer", "required": true]]]])
        let doc = CallOpenAPI.document(for: parsed)
        let post = doc["paths"]?["/api/v1/workflows/be/call"]?["post"]
        #expect(post?["parameters"]?.arrayValue?.first?["name"] == "age")
        #expect(post?["responses"]?["502"] != nil)
    }
}
