import Postgres
import Synchronization
import SweepStore

/// Which users' executor types have claimable runs, shared by every parked long-poll of this worker, so that 1,000
/// idle executors cost the database one cheap query per re-check sweep instead of 1,000 claims. The parked-request
/// registry wakes one waiter of a key per NOTIFY (`SingleWake`), which claims at once; its periodic re-checks
/// (`recheckInterval`: every parked request every few seconds, and at its deadline) first ask the board, which
/// refreshes itself (one skip scan over the executors' claim index) when older than `freshness`, and claim only
/// when the board lists the key.
final class ExecutorWorkBoard: Sendable {
    static let freshness: Duration = .milliseconds(500)

    private struct State {
        var keys: Set<String> = []
        var refreshedAt: ContinuousClock.Instant? = nil
    }

    private let state = Mutex(State())
    let database: Database

    init(database: Database) {
        self.database = database
    }

    /// True when runs for `key` (`ExecutorStore.workKey`) may be claimable.
    func mayHaveWork(_ key: String) throws -> Bool {
        let now = ContinuousClock.now
        if let known = state.withLock({ state -> Bool? in
            guard let at = state.refreshedAt, now - at < Self.freshness else { return nil }
            return state.keys.contains(key)
        }) { return known }
        let keys = try database.system { try ExecutorStore.typesWithWork($0) }
        // Stamped when the answer arrived: only sweeps read the board, so its age matters, not its snapshot's.
        state.withLock { $0 = State(keys: keys, refreshedAt: .now) }
        return keys.contains(key)
    }

    /// A claim for `key` found nothing.
    func foundNothing(_ key: String) {
        _ = state.withLock { $0.keys.remove(key) }
    }
}
