import Foundation
import SweepJSON
@testable import SweepStore
import Testing

@Test func successRecordsWrittenAsBytesAreTheRecordsOfTheSuccesses() throws {
    let completions = [
        RunCompletion(runID: 7, launchID: "l", attempt: 2, outcome: .succeeded(["a": [1, "x\"y"], "b": .null]), logs: "line\n\"two\"",
                      finishedAt: Date(timeIntervalSince1970: 1_795_374_578.123456)),
        RunCompletion(runID: 8, launchID: "l", attempt: 1, outcome: .failed("boom")),
        RunCompletion(runID: 9, launchID: "l", attempt: 1, outcome: .succeeded([:]), finishedAt: Date(timeIntervalSince1970: 5)),
    ]
    let written = try #require(RunCompletion.successRecords(completions))
    #expect(try JSONParser.parse(written.bytes) == .array(completions.compactMap(\.successRecord)))
    #expect(RunCompletion.successRecords([completions[1]]) == nil, "no success, no records")
}
