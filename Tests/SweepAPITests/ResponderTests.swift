import Foundation
import Logging
import Postgres
import SweepAPI
import SweepJSON
import SweepStore
import SweepTestSupport
import Testing
import Web

/// The API as a responder called directly (no socket, no nginx), as Hummingbird's tests do, on a real database.
@Suite(.serialized) struct ResponderTests {
    let database: Database
    let responder: any Responder
    let tenant: TestTenant
    let key: String

    init() throws {
        let url = try TestDatabase.fresh()
        database = Database(url: url, maxConnections: 4)
        responder = SweepApplication(database: database).responder
        let created = try TestTenant.create(database)
        tenant = created
        key = try database.system { try APIKeyStore.create($0, userID: created.userID, name: "tests").1 }
    }

    struct Answer {
        let status: Int
        let json: JSONValue?
        let headers: [(String, String)]
        var errorCode: String? { json?["error"]?["code"]?.stringValue }
    }

    func call(_ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil, key: String? = nil, query: [String: String] = [:]) throws -> Answer {
        var headers: [String: String] = ["content-type": "application/json"]
        headers["authorization"] = "Bearer \(key ?? self.key)"
        let request = Request(method: method, path: path, query: query, headers: headers, body: body.map { Array($0.jsonString.utf8) } ?? [])
        let response = try responder.respond(to: request, context: RequestContext(requestID: "test", logger: Logger(label: "test")))
        return Answer(status: response.status.code, json: response.body.isEmpty ? nil : try? JSONParser.parse(response.body), headers: response.headers)
    }

    func anonymous(_ method: HTTPMethod, _ path: String) throws -> Answer {
        let request = Request(method: method, path: path)
        let response = try responder.respond(to: request, context: RequestContext(requestID: "test", logger: Logger(label: "test")))
        return Answer(status: response.status.code, json: try? JSONParser.parse(response.body), headers: response.headers)
    }

    func registerChain() throws {
        try tenant.registerFunctions(["a", "b", "c"])
        #expect(try call(.POST, "/api/v1/workflows", try JSONParser.parse(TestWorkflows.chain("w"))).status == 201)
    }

    @Test func withoutCredentialsTheAnswerIs401InTheErrorShape() throws {
        let answer = try anonymous(.GET, "/api/v1/me")
        #expect(answer.status == 401 && answer.errorCode != nil && answer.json?["error"]?["message"]?.stringValue != nil)
    }

    @Test func anUnknownKeyIs401() throws {
        let answer = try call(.GET, "/api/v1/me", key: "sk_nothing")
        #expect(answer.status == 401 && answer.errorCode == "invalid_api_key")
    }

    @Test func meNamesTheKeysUser() throws {
        let answer = try call(.GET, "/api/v1/me")
        #expect(answer.status == 200 && answer.json?["username"]?.stringValue == tenant.name)
    }

    @Test func unknownRoutesAre404AndWrongMethods405WithAllow() throws {
        #expect(try call(.GET, "/api/v1/nothing-here").status == 404)
        let answer = try call(.PATCH, "/api/v1/launches")
        #expect(answer.status == 405)
        #expect(answer.headers.contains { $0.0.lowercased() == "allow" && $0.1.contains("GET") })
    }

    @Test func anInvalidWorkflowIs422WithTheFieldThatIsWrong() throws {
        let answer = try call(.POST, "/api/v1/workflows", ["workflow_id": "bad", "tasks": [["id": "1", "successors": ["9"]]]])
        #expect(answer.status == 422)
        #expect(answer.json?["error"]?["field"]?.stringValue?.hasPrefix("/tasks/0") == true)
    }

    @Test func launchingAnUnknownWorkflowIs404() throws {
        let answer = try call(.POST, "/api/v1/workflows/none/launches", [:])
        #expect(answer.status == 404)
    }

    @Test func aLaunchIsAcceptedWaitingWithItsFirstRunScheduled() throws {
        try registerChain()
        let answer = try call(.POST, "/api/v1/workflows/w/launches", ["input": ["n": 1]])
        #expect(answer.status == 202 && answer.json?["state"] == "waiting")
        let id = try #require(answer.json?["launch_id"]?.stringValue)
        let status = try call(.GET, "/api/v1/launches/\(id)")
        #expect(status.status == 200)
        let states = status.json?["tasks"]?.arrayValue?.compactMap { $0["state"]?.stringValue }
        #expect(states == ["scheduled", "pending", "pending"])
        #expect(status.json?["progress"] == ["finished": 0, "total": 3, "failed": 0])
    }

    @Test func anIdempotencyKeyAnswersTheSameLaunch() throws {
        try registerChain()
        let first = try call(.POST, "/api/v1/workflows/w/launches", ["idempotency_key": "once"])
        let second = try call(.POST, "/api/v1/workflows/w/launches", ["idempotency_key": "once"])
        #expect(first.json?["launch_id"] != nil && first.json?["launch_id"] == second.json?["launch_id"])
    }

    @Test func cancellingEndsTheLaunchAndItsRunsOnce() throws {
        try registerChain()
        let id = try #require(try call(.POST, "/api/v1/workflows/w/launches", [:]).json?["launch_id"]?.stringValue)
        let cancelled = try call(.POST, "/api/v1/launches/\(id)/cancel")
        #expect(cancelled.status == 202 && cancelled.json?["state"] == "cancelled")
        let again = try call(.POST, "/api/v1/launches/\(id)/cancel")
        #expect(again.status == 409)
        let status = try call(.GET, "/api/v1/launches/\(id)")
        #expect(status.json?["tasks"]?.arrayValue?.allSatisfy { $0["state"] == "cancelled" } == true)
    }

    @Test func anotherUsersLaunchIsNotFound() throws {
        try registerChain()
        let id = try #require(try call(.POST, "/api/v1/workflows/w/launches", [:]).json?["launch_id"]?.stringValue)
        let other = try TestTenant.create(database)
        let otherKey = try database.system { try APIKeyStore.create($0, userID: other.userID, name: "other").1 }
        #expect(try call(.GET, "/api/v1/launches/\(id)", key: otherKey).status == 404)
        #expect(try call(.POST, "/api/v1/launches/\(id)/cancel", key: otherKey).status == 404)
    }

    @Test func aMalformedLaunchIdIs404NotA500() throws {
        #expect(try call(.GET, "/api/v1/launches/not-a-uuid").status == 404)
    }

    @Test func theLaunchListRefusesAnUnknownStateAndFiltersByAKnownOne() throws {
        let bad = try call(.GET, "/api/v1/launches", query: ["state": "sleeping"])
        #expect(bad.status == 400 && bad.errorCode == "invalid_parameter" && bad.json?["error"]?["field"] == "state")
        try registerChain()
        _ = try call(.POST, "/api/v1/workflows/w/launches", [:])
        let waiting = try call(.GET, "/api/v1/launches", query: ["state": "waiting"])
        #expect(waiting.status == 200 && waiting.json?["items"]?.arrayValue?.count == 1)
        #expect(try call(.GET, "/api/v1/launches", query: ["state": "running"]).json?["items"]?.arrayValue?.isEmpty == true)
    }

    @Test func progressWithAnUnknownTokenIsRefused() throws {
        let request = Request(method: .POST, path: "/api/v1/progress", headers: ["authorization": "Bearer tt_1_nothing", "content-type": "application/json"],
                              body: Array(#"{"message": "hi"}"#.utf8))
        let response = try responder.respond(to: request, context: RequestContext(requestID: "t", logger: Logger(label: "t")))
        #expect([401, 403, 404].contains(response.status.code))
    }

    @Test func aBodyThatIsNotJSONIs400() throws {
        let request = Request(method: .POST, path: "/api/v1/workflows", headers: ["authorization": "Bearer \(key)", "content-type": "application/json"],
                              body: Array("{not json".utf8))
        let response = try responder.respond(to: request, context: RequestContext(requestID: "t", logger: Logger(label: "t")))
        #expect(response.status.code == 400)
    }
}
