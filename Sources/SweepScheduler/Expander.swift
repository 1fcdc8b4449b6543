import Postgres
import SweepStore

/// Carries on with chunked expansions (`LaunchProgression.continueExpansion`): one chunk of one launch per call,
/// in its own transaction, so the loop goes back to its runs between chunks. Any scheduler may take any chunk
/// (the cursor row is locked SKIP LOCKED, then the launch); one that died mid-chunk left the cursor as the last
/// committed chunk did, and the next call here carries on from it. A chunk that needs no launch lock
/// (`continueExpansionUnlocked`) takes none, so the launch's completions go on while it is inserted.
struct Expander {
    let planners: PlannerCache
    var clock: TransitionClock = .database

    /// Inserts one chunk; false when no expansion is waiting for a scheduler.
    func step(_ connection: PostgresConnection) throws -> Bool {
        do {
            return try step(connection, unlocked: true)
        } catch is LaunchEndedMidChunk {
            // Rolled back: under the lock, the chunk sees the launch ended and ends its cursor.
            return try step(connection, unlocked: false)
        }
    }

    private func step(_ connection: PostgresConnection, unlocked: Bool) throws -> Bool {
        try connection.transaction { connection in
            guard let row = try connection.query(ExpansionSQL.pickUnderWay.query()).first else { return false }
            let launchID = try row.decode(String.self, column: "launch_id")
            guard let plan = try planners.plan(connection, launchID: launchID) else { return false }
            if unlocked, let launch = try LaunchRecord.read(connection, id: launchID),
               let inserted = try LaunchProgression(connection: connection, launch: launch, plan: plan, now: clock.now).continueExpansionUnlocked() {
                return inserted
            }
            guard let launch = try LaunchRecord.lock(connection, id: launchID) else { return false }
            let progression = LaunchProgression(connection: connection, launch: launch, plan: plan, now: clock.now)
            guard try progression.continueExpansion() else { return true }
            try progression.flush()
            return true
        }
    }
}
