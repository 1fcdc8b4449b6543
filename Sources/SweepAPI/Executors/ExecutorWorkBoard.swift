import Postgres
import Synchronization
import SweepStore

/// Which users' executor types have claimable runs, shared by every parked long-poll of this worker, so that 1,000
/// idle executors cost the database one cheap query per re-check sweep instead of 1,000 claims. The parked-request
/// registry checks each waiter when a NOTIFY of its key arrives, and every few seconds (`recheckInterval`) anyway.
/// A waiter's check (`Waiter.shouldClaim`) claims at once when it was checked moments ago (so this call is a
/// NOTIFY's, not the sweep's); a sweep's call first asks the board, which refreshes itself (one skip scan over
/// the executors' claim index) when older than `freshness`, and claims only when the board lists its key.
final class ExecutorWorkBoard: Sendable {
    static let freshness: Duration = .milliseconds(500)
    /// The registry re-checks every parked request this often (ParkedRequests.recheckInterval, 5 s); a call sooner
    /// than this after the waiter's previous one is not the sweep's.
    static let sweepGap: Duration = .seconds(4)

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

    /// One parked long-poll's view: when it was last checked, to tell a NOTIFY's call from the sweep's.
    final class Waiter: Sendable {
        let key: String
        let deadline: ContinuousClock.Instant
        private let lastCheck = Mutex<ContinuousClock.Instant?>(nil)

        init(key: String, deadline: ContinuousClock.Instant) {
            self.key = key
            self.deadline = deadline
        }

        /// Whether this check should run a claim: always for a NOTIFY's call; for the sweep's (or the first, or
        /// the one at the deadline), only when the board lists the key.
        func shouldClaim(_ board: ExecutorWorkBoard) throws -> Bool {
            let now = ContinuousClock.now
            let previous = lastCheck.withLock { last -> ContinuousClock.Instant? in
                defer { last = now }
                return last
            }
            if let previous, now - previous < ExecutorWorkBoard.sweepGap, now < deadline { return true }
            return try board.mayHaveWork(key)
        }
    }
}
