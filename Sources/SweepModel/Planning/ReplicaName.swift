/// SWEEP's replica names: task `2` becomes `2_A` … `2_Z`, `2_AA`, `2_AB`, …; a replica of a replica appends another
/// suffix (`4_A_B`). Letters count in bijective base 26, so every index has exactly one suffix.
public enum ReplicaName {
    /// 0 → "A", 25 → "Z", 26 → "AA", 27 → "AB", 701 → "ZZ", 702 → "AAA".
    public static func suffix(_ index: Int) -> String {
        precondition(index >= 0, "replica index must not be negative")
        var n = index + 1
        var letters: [UInt8] = []
        while n > 0 {
            n -= 1
            letters.append(UInt8(ascii: "A") + UInt8(n % 26))
            n /= 26
        }
        return String(decoding: letters.reversed(), as: UTF8.self)
    }

    /// The inverse of `suffix`; nil for anything that is not one or more capital letters.
    public static func index(ofSuffix suffix: some StringProtocol) -> Int? {
        guard !suffix.isEmpty else { return nil }
        var n = 0
        for byte in suffix.utf8 {
            guard byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") else { return nil }
            let (times, overflow1) = n.multipliedReportingOverflow(by: 26)
            let (sum, overflow2) = times.addingReportingOverflow(Int(byte - UInt8(ascii: "A")) + 1)
            guard !overflow1, !overflow2 else { return nil }
            n = sum
        }
        return n - 1
    }

    /// The run name of `taskID` at `path`: `name("4", [0, 1]) == "4_A_B"`, `name("1", []) == "1"`.
    public static func name(task taskID: String, path: [Int]) -> String {
        var name = taskID
        for index in path {
            name += "_"
            name += suffix(index)
        }
        return name
    }

    /// Every task id a name could be a replica of: `"2_A_B"` → `["2_A", "2"]`, `"2"` → `[]`. Used to refuse task
    /// ids that could be mistaken for another task's replicas.
    static func possibleBaseTaskIDs(of id: String) -> [String] {
        var bases: [String] = []
        var base = Substring(id)
        while let underscore = base.lastIndex(of: "_"), index(ofSuffix: base[base.index(after: underscore)...]) != nil {
            base = base[..<underscore]
            if !base.isEmpty { bases.append(String(base)) }
        }
        return bases
    }
}
