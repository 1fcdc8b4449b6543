import Testing
import SweepJSON
@testable import Web

/// `EdgeCheck`: text PostgreSQL cannot hold is a 400 at the edge, naming what is at fault.
@Suite struct EdgeCheckTests {
    func refusal(_ body: () throws -> Void) -> APIError? {
        do { try body() } catch { return error as? APIError }
        return nil
    }

    @Test func ordinaryQueriesDecode() throws {
        #expect(try EdgeCheck.query("state=running&workflow_id=a%20b&x=1+2&x=3&=skip") == ["state": "running", "workflow_id": "a b", "x": "1 2"])
        #expect(try EdgeCheck.query("") == [:])
        #expect(try EdgeCheck.query("flag") == ["flag": ""])
    }

    @Test(arguments: ["cursor=%00", "a=x%00y", "a=%FF", "a=%zz", "a=%C3", "%00=1", "%FF=1"])
    func badQueryTextIsA400(_ query: String) {
        let error = refusal { _ = try EdgeCheck.query(query) }
        #expect(error?.status == .badRequest)
        #expect(error?.code == "invalid_parameter")
        #expect(error?.field != nil)
    }

    @Test func theParameterAtFaultIsNamed() {
        #expect(refusal { _ = try EdgeCheck.query("ok=1&cursor=%00") }?.field == "cursor")
    }

    @Test(arguments: ["/api/v1/workflows/%00", "/api/v1/workflows/a%00b", "/api/v1/workflows/%FF", "/api/v1/workflows/%E2%82", "/api/%zz/x"])
    func badPathSegmentsAreA400(_ path: String) {
        let error = refusal { try EdgeCheck.path(path) }
        #expect(error?.status == .badRequest)
        #expect(error?.code == "invalid_path")
    }

    @Test func goodPathsPass() {
        #expect(refusal { try EdgeCheck.path("/api/v1/workflows/caf%C3%A9/x%20y") } == nil)
        #expect(refusal { try EdgeCheck.path("/") } == nil)
    }

    @Test func headersMustBeUTF8() throws {
        #expect(try EdgeCheck.header(name: "x-a", bytes: Array("fine é".utf8)) == "fine é")
        let error = refusal { _ = try EdgeCheck.header(name: "x-a", bytes: [0x61, 0xFF]) }
        #expect(error?.code == "invalid_header")
        #expect(error?.field == "x-a")
    }
}
