import Logging
import Testing
import Web

/// The byte-level rewrites of per-request string work (issue 17 profile) answer exactly as the Character-level code
/// they replaced.
@Suite struct RequestHotPathTests {
    @Test func trimmingSpacesMatchesTheCharacterWalk() {
        let cases = ["", " ", "   ", "key", " key", "key ", "  key  ", " a b ", "sk_abc-DEF_123", "\tkey ",
                     " \u{301}x ", "x\u{301} ", " é ", "é", " 日本 ", "\u{600} ", " \u{600}x"]
        for text in cases {
            let expected = String(text.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
            #expect(text.trimmingSpaces == expected, "\(Array(text.unicodeScalars))")
            #expect(text.dropFirst(0).trimmingSpaces == expected)
        }
    }

    @Test func pathsWithATrailingOrDoubledSlashNameNoRoute() throws {
        var router = Router()
        router.on(.GET, "/api/v1/me") { _, _ in .json(["ok": true]) }
        let context = RequestContext(requestID: "test", logger: Logger(label: "test"))
        for path in ["/api/v1/me/", "//api/v1/me", "/api//v1/me", "api/v1/me", ""] {
            #expect(throws: APIError.self, "\(path)") { try router.respond(to: Request(method: .GET, path: path), context: context) }
        }
        #expect(try router.respond(to: Request(method: .GET, path: "/api/v1/me"), context: context).status == .ok)
    }

    @Test func headersAreReplacedWhateverTheirCase() {
        var response = Response(status: .ok, headers: [("x-request-id", "old"), ("Content-Type", "text/plain")])
        response.setHeader("X-Request-Id", "new")
        #expect(response.headers.filter { $0.0.lowercased() == "x-request-id" }.map(\.1) == ["new"])
        #expect(response.header("content-type") == "text/plain" && response.header("X-REQUEST-ID") == "new")
        #expect(response.header("content-typ") == nil)
    }

    @Test func pathsWithoutEscapesPassTheEdgeUnlessTheyHoldNUL() throws {
        try EdgeCheck.path("/api/v1/workflows/a b")
        #expect(throws: APIError.self) { try EdgeCheck.path("/api/v1/workflows/a\u{0}b") }
        #expect(throws: APIError.self) { try EdgeCheck.path("/api/v1/workflows/a%00b") }
        #expect(throws: APIError.self) { try EdgeCheck.path("/api/v1/workflows/%ZZ") }
        try EdgeCheck.path("/api/v1/workflows/%C3%A9")
    }
}
