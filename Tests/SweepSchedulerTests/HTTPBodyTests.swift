import SweepJSON
@testable import SweepScheduler
import Testing

/// An HTTP function's body: its input with `sweep` added, spliced from the stored JSON text.
private let sweep: [String: JSONValue] = ["run_id": "2_A", "launch_id": "l-1", "token": "t\"ok", "attempt": 2]

private func body(_ input: String) throws -> JSONValue {
    try JSONParser.parse(SchedulerEngine.Loop.httpBody(input: Array(input.utf8), sweep: JSONValue.object(sweep).jsonBytes))
}

@Test func theInputsMembersAndSweepMakeTheBody() throws {
    // As PostgreSQL prints jsonb: spaces after colons and commas.
    #expect(try body(#"{"launch_input": {"items": 3}, "static_input": {}}"#)
            == ["launch_input": ["items": 3], "static_input": [:], "sweep": .object(sweep)])
    #expect(try body("{}") == ["sweep": .object(sweep)])
    #expect(try body(" { } ") == ["sweep": .object(sweep)])
}

@Test func anInputWithItsOwnSweepHasItReplaced() throws {
    #expect(try body(#"{"sweep": "mine", "a": 1}"#) == ["a": 1, "sweep": .object(sweep)])
    // "sweep" as a value only: still one sweep member, ours.
    #expect(try body(#"{"a": "sweep"}"#) == ["a": "sweep", "sweep": .object(sweep)])
}

@Test func anInputThatIsNotAnObjectIsSentAsItIs() throws {
    #expect(try body(#"[1, 2]"#) == [1, 2])
    #expect(try body(#""text""#) == "text")
}

@Test func theSweepObjectWrittenAsBytesIsTheOneTheAPIDescribes() throws {
    for (apiURL, files) in [(String?.some("http://127.0.0.1:8080"), [String]?.some(["a.txt", "b \"q\".csv"])), (nil, nil), ("http://x", [])] {
        let written = SchedulerEngine.Loop.sweepJSON(runName: "2_B", launchID: "launch-1", token: "tok\\en", attempt: 3,
                                                     inputFiles: files, apiURL: apiURL)
        var expected: [String: JSONValue] = ["run_id": "2_B", "launch_id": "launch-1", "token": "tok\\en", "attempt": 3]
        if let apiURL {
            expected["progress_url"] = .string(apiURL + "/api/v1/progress")
            expected["api_url"] = .string(apiURL)
        }
        if let files, !files.isEmpty { expected["input_files"] = .array(files.map(JSONValue.string)) }
        #expect(written == JSONValue.object(expected).jsonBytes, "sorted keys, compact, as before")
    }
}
