import Postgres
import Synchronization
import SweepStore

/// Which users' executor types have claimable runs, shared by every parked long-poll of this worker, so that 1,000
/// idle executors cost the database one cheap query per re-check sweep instead of 1,000 claims. The parked-request
/// registry checks each waiter on a NOTIFY of its key and every few seconds anyway; a check first asks the board,
/// which refreshes itself (one skip scan over the executors' claim index) when it is older than `freshness`, and
/// claims only when the board lists its key. A claim that finds nothing strikes the key until the next refresh.
///
/// The one cost of the shortcut: a notification that arrives within `freshness` of a refresh taken just before its
/// transaction committed is answered at the registry's next re-check (seconds) instead of at once.
final class ExecutorWorkBoard: Sendable {
    static let freshness: Duration = .milliseconds(10)

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
        state.withLock { $0 = State(keys: keys, refreshedAt: now) }
        return keys.contains(key)
    }

    /// A claim for `key` found nothing.
    func foundNothing(_ key: String) {
        _ = state.withLock { $0.keys.remove(key) }
    }
}
