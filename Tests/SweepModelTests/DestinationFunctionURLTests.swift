import Testing
@testable import SweepModel

/// API.md: an http destination's function task POSTs to `base_url + function_name`; a base URL with no path gets
/// its `/` (the bare concatenation is no URL), any other is concatenated as SWEEP says.
@Test func functionURLJoinsABareHostWithASlashAndOtherwiseConcatenates() throws {
    func url(_ base: String, _ name: String) throws -> String? {
        try Destination(json: ["id": "d", "cloud_provider": "http", "base_url": .string(base)]).functionURL(name)
    }
    #expect(try url("http://127.0.0.1:9000", "gen") == "http://127.0.0.1:9000/gen")
    #expect(try url("https://fn.example", "gen") == "https://fn.example/gen")
    #expect(try url("http://127.0.0.1:9000/", "gen") == "http://127.0.0.1:9000/gen")
    #expect(try url("http://127.0.0.1:9000/fn/", "gen") == "http://127.0.0.1:9000/fn/gen")
    #expect(try url("http://127.0.0.1:9000/api/fn_", "gen") == "http://127.0.0.1:9000/api/fn_gen")
    #expect(try Destination(json: ["id": "d", "cloud_provider": "local"]).functionURL("gen") == nil)
}
