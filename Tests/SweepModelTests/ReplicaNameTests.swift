import Testing
@testable import SweepModel

@Test func replicaSuffixesCountInBijectiveBase26() {
    #expect(ReplicaName.suffix(0) == "A")
    #expect(ReplicaName.suffix(25) == "Z")
    #expect(ReplicaName.suffix(26) == "AA")
    #expect(ReplicaName.suffix(27) == "AB")
    #expect(ReplicaName.suffix(701) == "ZZ")
    #expect(ReplicaName.suffix(702) == "AAA")
    for index in [0, 1, 25, 26, 51, 52, 701, 702, 18_277, 20_000] {
        #expect(ReplicaName.index(ofSuffix: ReplicaName.suffix(index)) == index)
    }
    #expect(ReplicaName.index(ofSuffix: "a") == nil)
    #expect(ReplicaName.index(ofSuffix: "") == nil)
}

@Test func replicaOfAReplicaAppendsASuffix() {
    #expect(ReplicaName.name(task: "4", path: [0, 1]) == "4_A_B")
    #expect(ReplicaName.name(task: "2", path: [26]) == "2_AA")
    #expect(ReplicaName.name(task: "1", path: []) == "1")
}

@Test func possibleBaseTaskIDsStripSuffixes() {
    #expect(ReplicaName.possibleBaseTaskIDs(of: "2_A_B") == ["2_A", "2"])
    #expect(ReplicaName.possibleBaseTaskIDs(of: "prep_data").isEmpty)
    #expect(ReplicaName.possibleBaseTaskIDs(of: "2").isEmpty)
}
