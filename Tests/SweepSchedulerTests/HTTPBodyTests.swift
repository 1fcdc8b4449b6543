import SweepJSON
@testable import SweepScheduler
import Testing

/// An HTTP function's body: its input with `sweep` added, spliced from the stored JSON text.
private let sweep: [String: JSONValue] = ["run_id": "2_A", "launch_id": "l-1", "token": "t\"ok", "attempt": 2]

private func body(_ input: String) throws -> JSONValue {
    try JSONParser.parse(SchedulerEngine.Loop.httpBody(input: Array(input.utf8), sweep: sweep))
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
