import Testing
@testable import ProcessSupervisor

@Suite struct ProgressLineScannerTests {
    func scan(_ chunks: [String]) -> [(percent: Double?, message: String)] {
        var scanner = ProgressLineScanner(maximumLineLength: 64)
        return chunks.flatMap { chunk in Array(chunk.utf8).withUnsafeBytes { scanner.scan($0) } }
    }

    @Test func lineSplitAcrossReads() {
        let reports = scan(["noise\n::prog", "ress::12.5 step", " two\r\n"])
        #expect(reports.count == 1)
        #expect(reports[0].percent == 12.5)
        #expect(reports[0].message == "step two")
    }

    @Test func percentIsClampedAndOptional() {
        let reports = scan(["::progress::150 over\n::progress::nan x\n::progress::\n"])
        #expect(reports.map(\.percent) == [100, nil, nil])
        #expect(reports.map(\.message) == ["over", "nan x", ""])
    }

    @Test func otherLinesAndOverlongLinesAreIgnored() {
        let long = "::progress::1 " + String(repeating: "x", count: 100)
        #expect(scan(["x ::progress::5 no\n", long + "\n", "::progress::7 yes\n"]).map(\.message) == ["yes"])
    }
}
