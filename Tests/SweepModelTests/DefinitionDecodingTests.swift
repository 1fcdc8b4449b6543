import SweepJSON
import Testing
@testable import SweepModel

@Test func awsDestinationKeepsEverythingButShowsNoCredentials() throws {
    let json = try TestSupport.json(#"{"id": "dest1", "cloud_provider": "AWS", "credentials": {"profile_name": "p", "aws_account_id": "1"}, "aws_region": "eu-west-1"}"#)
    let destination = try Destination(json: json)
    #expect(destination.id == "dest1")
    #expect(destination.cloudProvider == .aws)
    #expect(destination.definition == json)
    #expect(destination.redacted["credentials"] == nil)
    #expect(destination.redacted["aws_region"] == "eu-west-1")
}

@Test func httpDestinationNeedsBaseURL() throws {
    #expect(throws: ValidationError(field: "/base_url", code: .missingField, message: "base_url is required")) {
        try Destination(json: ["id": "d", "cloud_provider": "http"])
    }
    let destination = try Destination(json: ["id": "d", "cloud_provider": "http", "base_url": "http://127.0.0.1:9000/"])
    #expect(destination.baseURL == "http://127.0.0.1:9000/")
    #expect(throws: ValidationError.self) { try Destination(json: ["id": "d", "cloud_provider": "http", "base_url": "ftp://x"]) }
}

@Test func destinationErrorsPointAtTheField() {
    let cases: [(JSONValue, String, ValidationError.Code)] = [
        (["cloud_provider": "local"], "/id", .missingField),
        (["id": "d", "cloud_provider": "GCP"], "/cloud_provider", .invalidValue),
        (["id": "d", "cloud_provider": 3], "/cloud_provider", .invalidType),
        (["id": "a b", "cloud_provider": "local"], "/id", .invalidIdentifier),
        (["id": "d", "cloud_provider": "AWS", "credentials": "secret"], "/credentials", .invalidType),
        ([1, 2], "", .invalidType),
    ]
    for (json, field, code) in cases {
        do {
            _ = try Destination(json: json)
            Issue.record("expected \(code) at \(field)")
        } catch {
            #expect(error.field == field)
            #expect(error.code == code)
        }
    }
}

@Test func functionDefinitionDefaultsAndChecks() throws {
    let function = try FunctionDefinition(json: ["id": "f1", "destination_id": "d", "function_name": "hello", "environment_variables": ["A": "1"]])
    #expect(function.runtime == "python3.6")
    #expect(function.memory == 128)
    #expect(function.environmentVariables == ["A": "1"])
    let cases: [(JSONValue, String, ValidationError.Code)] = [
        (["id": "f", "function_name": "h"], "/destination_id", .missingField),
        (["id": "f", "destination_id": "d"], "/function_name", .missingField),
        (["id": "f", "destination_id": "d", "function_name": "h", "runtime": "cobol"], "/runtime", .invalidValue),
        (["id": "f", "destination_id": "d", "function_name": "h", "memory": 100], "/memory", .invalidValue),
        (["id": "f", "destination_id": "d", "function_name": "h", "memory": "lots"], "/memory", .invalidType),
        (["id": "f", "destination_id": "d", "function_name": "h", "environment_variables": ["A": 1]], "/environment_variables/A", .invalidType),
        (["id": "f", "destination_id": "d", "function_name": "h", "description": 5], "/description", .invalidType),
    ]
    for (json, field, code) in cases {
        do {
            _ = try FunctionDefinition(json: json)
            Issue.record("expected \(code) at \(field)")
        } catch {
            #expect(error.field == field)
            #expect(error.code == code)
        }
    }
}

@Test func containerDefinitionDecodesAndLayersOverrides() throws {
    let container = try ContainerDefinition(json: [
        "id": "cdef_hello_world", "destination_id": "d", "image_name": "hello_world", "image_tag": "latest",
        "cpu": 0.25, "memory": 512, "command": ["echo", "hi"], "environment": ["A": "def", "B": "def"],
    ])
    #expect(container.cpu == 0.25)
    #expect(container.command == ["echo", "hi"])
    let invocation = container.invocation(taskCommand: ["sh", "-c", "printenv A"], taskEnvironment: [EnvironmentVariable(name: "A", value: "task")])
    #expect(invocation.command == ["sh", "-c", "printenv A"])
    #expect(invocation.environment == [EnvironmentVariable(name: "A", value: "task"), EnvironmentVariable(name: "B", value: "def")])
    #expect(container.invocation(taskCommand: nil, taskEnvironment: nil).command == ["echo", "hi"])

    let cases: [(JSONValue, String, ValidationError.Code)] = [
        (["id": "c", "destination_id": "d", "image_tag": "t"], "/image_name", .missingField),
        (["id": "c", "destination_id": "d", "image_name": "i", "image_tag": "t", "command": "ls"], "/command", .invalidCommand),
        (["id": "c", "destination_id": "d", "image_name": "i", "image_tag": "t", "command": ["ls", 1]], "/command/1", .invalidCommand),
        (["id": "c", "destination_id": "d", "image_name": "i", "image_tag": "t", "cpu": "x"], "/cpu", .invalidType),
        (["id": "c", "destination_id": "d", "image_name": "i", "image_tag": "t", "environment": [["name": "A"]]], "/environment/0", .invalidEnvironment),
    ]
    for (json, field, code) in cases {
        do {
            _ = try ContainerDefinition(json: json)
            Issue.record("expected \(code) at \(field)")
        } catch {
            #expect(error.field == field)
            #expect(error.code == code)
        }
    }
}

@Test func jsonPointerEscapesTokens() {
    #expect((JSONPointer.root / "a/b" / "m~n" / 2).description == "/a~1b/m~0n/2")
    #expect(JSONPointer.root.description == "")
}
