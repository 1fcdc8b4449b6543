import Logging
import SweepJSON
import Testing
import Web

@Suite struct RouterTests {
    let context = RequestContext(requestID: "test", logger: Logger(label: "test"))

    func makeRouter() -> Router {
        var router = Router()
        router.on(.GET, "/api/v1/workflows/{id}") { request, _ in .json(["id": .string(try request.parameter("id"))]) }
        router.on(.DELETE, "/api/v1/workflows/{id}") { _, _ in .noContent() }
        router.on(.GET, "/api/v1/boom") { _, _ in throw CancellationError() }
        return router
    }

    func send(_ method: HTTPMethod, _ path: String) throws -> Response {
        try MiddlewareChain([ErrorMiddleware()], responder: makeRouter())
            .respond(to: Request(method: method, path: path), context: context)
    }

    @Test func matchesPathParameters() throws {
        let response = try send(.GET, "/api/v1/workflows/example1")
        #expect(response.status == .ok)
        #expect(try JSONParser.parse(response.body) == ["id": "example1"])
    }

    @Test func unknownPathIsJSON404() throws {
        let response = try send(.GET, "/api/v1/nothing")
        #expect(response.status == .notFound)
        #expect(try JSONParser.parse(response.body)["error"]?["code"] == "not_found")
    }

    @Test func wrongMethodIs405WithAllow() throws {
        let response = try send(.PATCH, "/api/v1/workflows/x")
        #expect(response.status == .methodNotAllowed)
        #expect(response.header("Allow") == "GET, DELETE")
    }

    @Test func unexpectedErrorsRevealNothing() throws {
        let response = try send(.GET, "/api/v1/boom")
        #expect(response.status == .internalServerError)
        let body = String(decoding: response.body, as: UTF8.self)
        #expect(!body.contains("CancellationError"))
        #expect(body.contains("request id test"))
    }

    @Test func errorShapeCarriesField() throws {
        let error = APIError.invalid("cycle", "cycle 2 -> 3 -> 2", field: "/tasks/1/successors")
        #expect(try JSONParser.parse(error.response.body) == ["error": ["code": "cycle", "message": "cycle 2 -> 3 -> 2", "field": "/tasks/1/successors"]])
    }

    @Test func queryStringsDecode() {
        #expect(QueryString.parse("state=running&workflow_id=a%20b&x=1+2") == ["state": "running", "workflow_id": "a b", "x": "1 2"])
        #expect(QueryString.percentDecode("%zz") == nil)
    }

    @Test func cookiesParse() {
        let request = Request(method: .GET, path: "/", headers: ["Cookie": "a=1; sweep_session=abc; b=2"])
        #expect(request.cookie("sweep_session") == "abc")
    }
}

@Suite struct InputSanityTests {
    @Test func bodiesWithNULAreRefusedNamingTheField() {
        let request = Request(method: .POST, path: "/", body: Array(#"{"a":{"b":["x","y\u0000"]}}"#.utf8))
        #expect(throws: APIError.self) { try request.jsonBody() }
        do {
            _ = try request.jsonBody()
        } catch {
            #expect(error.field == "/a/b/1")
        }
    }

    @Test func queryValuesWithNULAreDropped() {
        #expect(QueryString.parse("a=%00&b=ok") == ["b": "ok"])
    }
}
