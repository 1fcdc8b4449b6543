import Testing
@testable import ProcessSupervisor

/// `ProcessSpec.resultChannel`: fd 3 is a pipe of its own, captured apart from stdout and capped like it.
@Suite struct ResultChannelTests {
    @Test func fdThreeIsCapturedApartFromStdout() throws {
        let (supervisor, recorder) = ProcessSupervisor.recording()
        var spec = ProcessSpec.shell("echo printed; echo '{\"a\":1}' >&3; echo err >&2")
        spec.resultChannel = true
        try supervisor.start(spec, id: "r")
        let outcome = try #require(recorder.outcome("r"))
        #expect(outcome.output == "printed\n")
        #expect(outcome.result.map { String(decoding: $0, as: UTF8.self) } == "{\"a\":1}\n")
        #expect(String(decoding: outcome.stderr, as: UTF8.self) == "err\n")
        #expect(!outcome.resultTruncated)
    }

    @Test func withoutTheChannelFdThreeIsClosedAndResultIsNil() throws {
        let (supervisor, recorder) = ProcessSupervisor.recording()
        try supervisor.start(.shell("if echo x >&3; then echo open; else echo closed; fi 2>/dev/null"), id: "n")
        let outcome = try #require(recorder.outcome("n"))
        #expect(outcome.output == "closed\n")
        #expect(outcome.result == nil)
    }

    @Test func aResultPastTheCapIsTruncatedAndCounted() throws {
        let (supervisor, recorder) = ProcessSupervisor.recording()
        var spec = ProcessSpec.shell("head -c 300000 /dev/zero >&3")
        spec.resultChannel = true
        spec.limits = ResourceLimits(outputBytes: 100_000)
        try supervisor.start(spec, id: "big")
        let outcome = try #require(recorder.outcome("big"))
        #expect(outcome.result?.count == 100_000)
        #expect(outcome.resultTruncated && outcome.resultTotalBytes == 300_000)
        #expect(outcome.succeeded)
    }
}
