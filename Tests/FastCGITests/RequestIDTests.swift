import Testing
@testable import FastCGI

@Suite struct RequestIDTests {
    @Test func idsAre32LowercaseHexDigitsAndDoNotRepeat() {
        var ids = RequestID()
        var seen = Set<String>()
        for _ in 0..<10_000 {
            let id = ids.make()
            #expect(id.utf8.count == 32)
            #expect(id.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
            seen.insert(id)
        }
        #expect(seen.count == 10_000)
    }

    @Test func threadsSeededApartMakeDifferentIDs() {
        var first = RequestID(), second = RequestID()
        #expect(first.make() != second.make())
    }
}
