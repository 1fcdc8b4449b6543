import SweepJSON

/// The OpenAPI 3.0 document of one backend workflow's `/call` (`GET /api/v1/workflows/{id}/call/openapi.json`),
/// built from its `request` and `response`, so callers can generate a client for that one endpoint.
public enum CallOpenAPI {
    public static func document(for workflow: Workflow) -> JSONValue {
        let request = workflow.backend.request ?? RequestSchema()
        let path = "/api/v1/workflows/\(workflow.id)/call"
        var parameters: [JSONValue] = request.urlParams.map { parameter in
            var object: [String: JSONValue] = ["name": .string(parameter.name), "in": "query", "required": .bool(parameter.required && parameter.defaultValue == nil),
                                               "schema": schema(parameter)]
            if let desc = parameter.desc ?? parameter.label { object["description"] = .string(desc) }
            return .object(object)
        }
        parameters.append(["name": "background", "in": "query", "required": false, "schema": ["type": "boolean", "default": false],
                           "description": "answer 202 at once and run in the background"])
        parameters.append(["name": "Idempotency-Key", "in": "header", "required": false, "schema": ["type": "string", "maxLength": 200],
                           "description": "the same key returns the first call's launch"])
        var content: [String: JSONValue] = [:]
        if !request.body.isEmpty || request.form.isEmpty {
            content["application/json"] = ["schema": objectSchema(request.body)]
        }
        if !request.form.isEmpty {
            content["application/x-www-form-urlencoded"] = ["schema": objectSchema(request.form)]
            content["multipart/form-data"] = ["schema": objectSchema(request.form)]
        }
        var dataProperties: [String: JSONValue] = [:]
        var metaProperties: [String: JSONValue] = [:]
        for item in workflow.backend.response {
            var items = objectSchema(item.fields)
            if case .object(var object) = items, let desc = item.desc ?? item.label {
                object["description"] = .string(desc)
                items = .object(object)
            }
            dataProperties[item.name] = ["type": "array", "items": items]
            metaProperties[item.name] = ["type": "object"]
        }
        let answer: JSONValue = ["type": "object", "properties": [
            "data": ["type": "object", "properties": .object(dataProperties), "additionalProperties": ["type": "array", "items": ["type": "object"]]],
            "meta": ["type": "object", "properties": .object(metaProperties), "additionalProperties": ["type": "object"]],
        ]]
        let error: JSONValue = ["type": "object", "properties": ["error": ["type": "object", "properties": [
            "code": ["type": "string"], "message": ["type": "string"], "field": ["type": "string"], "launch_id": ["type": "string"],
        ]]]]
        let handOver: JSONValue = ["type": "object", "properties": ["launch_id": ["type": "string"], "state": ["type": "string"]]]
        var operation: [String: JSONValue] = [
            "parameters": .array(parameters),
            "responses": [
                "200": ["description": "the workflow succeeded: its composed response", "content": ["application/json": ["schema": answer]],
                        "headers": ["X-Sweep-Launch-Id": ["schema": ["type": "string"]]]],
                "202": ["description": "running in the background (background=true, or past config.call_timeout)",
                        "content": ["application/json": ["schema": handOver]], "headers": ["Location": ["schema": ["type": "string"]]]],
                "422": ["description": "invalid_request (with field) or rejected_by_interceptor", "content": ["application/json": ["schema": error]]],
                "502": ["description": "workflow_failed (with launch_id)", "content": ["application/json": ["schema": error]]],
            ],
        ]
        if workflow.backend.interceptor != nil, case .object(var responses)? = operation["responses"] {
            responses["504"] = ["description": "interceptor_timeout: the interceptor did not answer within config.interceptor_timeout",
                                "content": ["application/json": ["schema": error]]]
            operation["responses"] = .object(responses)
        }
        var withBody = operation
        withBody["requestBody"] = ["required": false, "content": .object(content)]
        func op(_ method: String, _ base: [String: JSONValue]) -> JSONValue {
            var object = base
            object["operationId"] = .string("\(method)_\(workflow.id)")
            object["summary"] = .string("call workflow \(workflow.id)")
            return .object(object)
        }
        operation["operationId"] = nil
        return [
            "openapi": "3.0.3",
            "info": ["title": .string("Sweep workflow \(workflow.id)"), "version": "1"],
            "components": ["securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]]],
            "security": [["bearer": []]],
            "paths": [.init(stringLiteral: path): [
                "get": op("get", operation), "delete": op("delete", operation), "post": op("post", withBody), "put": op("put", withBody),
            ]],
        ]
    }

    static func objectSchema(_ parameters: [RequestParameter]) -> JSONValue {
        var properties: [String: JSONValue] = [:]
        var required: [JSONValue] = []
        for parameter in parameters {
            properties[parameter.name] = schema(parameter)
            if parameter.required && parameter.defaultValue == nil { required.append(.string(parameter.name)) }
        }
        var object: [String: JSONValue] = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { object["required"] = .array(required) }
        return .object(object)
    }

    static func schema(_ parameter: RequestParameter) -> JSONValue {
        var object: [String: JSONValue]
        switch parameter.kind {
        case .string: object = ["type": "string"]
        case .number: object = ["type": "number"]
        case .integer: object = ["type": "integer"]
        case .boolean: object = ["type": "boolean"]
        case .object: object = ["type": "object"]
        case .array: object = ["type": "array", "items": [:]]
        case .enum:
            object = ["enum": .array(parameter.options)]
            if parameter.options.allSatisfy({ $0.stringValue != nil }) { object["type"] = "string" }
        }
        if let regex = parameter.regex { object["pattern"] = .string(regex.pattern) }
        if let value = parameter.defaultValue { object["default"] = value }
        if let label = parameter.label { object["title"] = .string(label) }
        if let desc = parameter.desc { object["description"] = .string(desc) }
        return .object(object)
    }
}
