@testable import SweepAPI
import SweepStore
import Testing

/// The batch both the hub's replay and its live delivery write to a stream: launch ends, the byte cap, the last id.
@Suite struct EventBatchTests {
    static func row(_ id: Int64, _ type: String = "task.started") -> StoredEventRow {
        StoredEventRow(id: id, userID: UserID(1), launchID: "00000000-0000-0000-0000-000000000001", type: type, data: Array(#"{"n":1}"#.utf8))
    }

    /// Adds rows as the hub does, until the batch takes no more; returns how many it took.
    static func fill(_ batch: inout EventBatch, _ rows: [StoredEventRow]) -> Int {
        var taken = 0
        for row in rows {
            taken += 1
            guard batch.add(row, frame: row.frame) else { break }
        }
        return taken
    }

    static let history = [row(4), row(5, "launch.succeeded"), row(6), row(7, "launch.failed")]

    @Test func aStreamOfOneLaunchEndsWithItsEndEventIncluded() {
        var batch = EventBatch(after: 3, oneLaunch: true)
        #expect(Self.fill(&batch, Self.history) == 2)
        #expect(batch.endsLaunch && batch.lastID == 5)
        #expect(batch.bytes == Self.history[0].frame + Self.history[1].frame)
    }

    @Test func aStreamOfAllTheUsersLaunchesGoesOnPastAnEndEvent() {
        var batch = EventBatch(after: 3, oneLaunch: false)
        #expect(Self.fill(&batch, Self.history) == 4)
        #expect(!batch.endsLaunch && batch.lastID == 7)
        #expect(batch.bytes == Self.history.flatMap(\.frame))
    }

    @Test func theByteCapStopsAfterTheFrameThatReachesIt() {
        let frame = Self.row(10).frame.count
        let rows = (10...20).map { Self.row(Int64($0)) }
        var exact = EventBatch(after: 9, oneLaunch: false, byteCap: 2 * frame)
        #expect(Self.fill(&exact, rows) == 2 && exact.bytes.count == 2 * frame && exact.lastID == 11)
        // A frame that crosses the cap is kept whole.
        var crossing = EventBatch(after: 9, oneLaunch: false, byteCap: 2 * frame + 1)
        #expect(Self.fill(&crossing, rows) == 3 && crossing.bytes.count == 3 * frame && crossing.lastID == 12)
        // The end event of the stream's launch stops the batch before the cap does.
        var ending = EventBatch(after: 9, oneLaunch: true, byteCap: 3 * frame)
        #expect(Self.fill(&ending, [Self.row(10), Self.row(11, "launch.cancelled"), Self.row(12)]) == 2 && ending.endsLaunch)
    }

    @Test func anEmptyBatchKeepsTheStreamsLastSent() {
        let batch = EventBatch(after: 42, oneLaunch: true, byteCap: 1)
        #expect(batch.bytes.isEmpty && batch.lastID == 42 && !batch.endsLaunch)
    }
}
