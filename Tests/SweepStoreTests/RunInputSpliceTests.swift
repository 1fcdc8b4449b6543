import Postgres
import SweepJSON
import SweepStore
import SweepTestSupport
import Testing

/// `RunInputSQL`: a claim writes a spliced input as text (`claimedInput`) and every other reader through jsonb
/// (`input`); both must give the text jsonb gives for the whole input, for any stored object, including members
/// that sort before `launch_input` (which the text splice cannot put after it).
@Suite(.serialized) struct RunInputSpliceTests: StoreSuite {
    let store: StoreFixture

    init() throws {
        store = try StoreFixture()
    }

    @Test func theClaimsTextIsTheTextOfTheWholeInput() throws {
        let t = try TestTenant.create(database)
        try t.registerFunctions(["a", "b", "c"])
        try t.registerWorkflow(TestWorkflows.chain("w"))
        let launchInput: JSONValue = ["items": [1, 2.5, "x", ["deep": [1.0, .null, true]]], "text": "caf\u{e9} \"q\" \\ \u{2028}", "e": [:]]
        let id = try t.launch("w", input: launchInput)
        let stored = [
            "{}", #"{"a": 1}"#, #"{"static_input": {}, "predecessor_outputs": {"1": [1, 2.0]}}"#,
            #"{"static_input": "s", "scatter_element": [3], "predecessor_outputs": {}}"#,
            #"{"launch_inpus": 1, "zzzzzzzzzzzzzzzzz": 2}"#, #"{"launch_inputz": true}"#, #"{"aaaaaaaaaaaa": 1, "static_input": 2}"#,
        ]
        for text in stored {
            func read(_ expression: String) throws -> String {
                try driver.value(String.self, """
                    WITH claimed AS (SELECT \(id)::uuid AS launch_id, \(text)::jsonb AS input, true AS splice_launch_input),
                    \(unsafeSQL: RunInputSQL.launchTexts)
                    SELECT (\(unsafeSQL: expression))::text FROM claimed c
                    """)
            }
            let whole = try driver.value(String.self, """
                SELECT (\(text)::jsonb || jsonb_build_object('launch_input', input))::text FROM launches WHERE id = \(id)::uuid
                """)
            #expect(try read(RunInputSQL.claimedInput("c")) == whole, "stored \(text)")
            #expect(try read(RunInputSQL.input("c")) == whole, "stored \(text)")
        }
    }
}
