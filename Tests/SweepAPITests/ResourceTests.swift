import Foundation
import Logging
import Postgres
import SweepAPI
import SweepJSON
import SweepStore
import SweepTestSupport
import Testing
import Web

/// Workflows, API keys, events and logs through the responder, no server.
@Suite(.serialized) struct ResourceTests {
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

    func call(_ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil, key: String? = nil) throws -> (status: Int, json: JSONValue?) {
        let request = Request(method: method, path: path, headers: ["authorization": "Bearer \(key ?? self.key)", "content-type": "application/json"],
                              body: body.map { Array($0.jsonString.utf8) } ?? [])
        let response = try responder.respond(to: request, context: RequestContext(requestID: "test", logger: Logger(label: "test")))
        return (response.status.code, response.body.isEmpty ? nil : try? JSONParser.parse(response.body))
    }

    @Test func aWorkflowPostedTwiceGetsAVersionEachAndShowsTheLatest() throws {
        try tenant.registerFunctions(["a", "b", "c"])
        let definition = try JSONParser.parse(TestWorkflows.chain("w"))
        #expect(try call(.POST, "/api/v1/workflows", definition).status == 201)
        #expect(try call(.POST, "/api/v1/workflows", definition).status == 201)
        let shown = try call(.GET, "/api/v1/workflows/w")
        #expect(shown.status == 200 && shown.json?["version"] == 2)
        let list = try call(.GET, "/api/v1/workflows")
        #expect(list.json?["items"]?.arrayValue?.count == 1)
    }

    @Test func aDeletedWorkflowIsGoneAndCannotBeLaunched() throws {
        try tenant.registerFunctions(["a", "b", "c"])
        #expect(try call(.POST, "/api/v1/workflows", try JSONParser.parse(TestWorkflows.chain("w"))).status == 201)
        #expect(try call(.DELETE, "/api/v1/workflows/w").status == 204)
        #expect(try call(.GET, "/api/v1/workflows/w").status == 404)
        #expect(try call(.POST, "/api/v1/workflows/w/launches", [:]).status == 404)
    }

    @Test func anAPIKeyIsShownOnceWorksAndStopsWorkingWhenRevoked() throws {
        let created = try call(.POST, "/api/v1/api-keys", ["name": "ci"])
        #expect(created.status == 201)
        let secret = try #require(created.json?["key"]?.stringValue)
        let id = try #require(created.json?["id"]?.stringValue)
        #expect(try call(.GET, "/api/v1/me", key: secret).status == 200)
        let listed = try call(.GET, "/api/v1/api-keys")
        #expect(listed.json?["items"]?.arrayValue?.contains { $0["id"]?.stringValue == id && $0["key"] == nil } == true)
        #expect(try call(.DELETE, "/api/v1/api-keys/\(id)").status == 204)
        #expect(try call(.GET, "/api/v1/me", key: secret).status == 401)
    }

    @Test func anAPIKeyNeedsAName() throws {
        #expect(try call(.POST, "/api/v1/api-keys", [:]).status == 400)
        #expect(try call(.POST, "/api/v1/api-keys", ["name": ""]).status == 400)
    }

    @Test func aLaunchsEventsAreListedInOrderAsJSON() throws {
        try tenant.registerFunctions(["a", "b", "c"])
        #expect(try call(.POST, "/api/v1/workflows", try JSONParser.parse(TestWorkflows.chain("w"))).status == 201)
        let id = try #require(try call(.POST, "/api/v1/workflows/w/launches", [:]).json?["launch_id"]?.stringValue)
        _ = try call(.POST, "/api/v1/launches/\(id)/cancel")
        let events = try call(.GET, "/api/v1/launches/\(id)/events")
        #expect(events.status == 200)
        let types = events.json?["items"]?.arrayValue?.compactMap { $0["event"]?.stringValue }
        #expect(types == ["task.scheduled", "task.failed", "task.failed", "task.failed", "launch.cancelled"])
    }

    @Test func logsOfAnUnknownRunAre404() throws {
        try tenant.registerFunctions(["a", "b", "c"])
        #expect(try call(.POST, "/api/v1/workflows", try JSONParser.parse(TestWorkflows.chain("w"))).status == 201)
        let id = try #require(try call(.POST, "/api/v1/workflows/w/launches", [:]).json?["launch_id"]?.stringValue)
        #expect(try call(.GET, "/api/v1/launches/\(id)/tasks/zz/logs").status == 404)
    }

    @Test func aDestinationWithoutABaseURLIsRefused() throws {
        let answer = try call(.POST, "/api/v1/destinations", ["id": "d", "cloud_provider": "http"])
        #expect(answer.status == 422 || answer.status == 400)
        #expect(answer.json?["error"]?["field"] != nil)
    }
}
