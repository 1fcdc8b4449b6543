import Postgres
import SweepStore

/// Carries on with chunked expansions (`LaunchProgression.continueExpansion`): one chunk of one launch per call,
/// in its own transaction, so the loop goes back to its runs between chunks. Any scheduler may take any chunk
/// (the cursor row is locked SKIP LOCKED, then the launch); one that died mid-chunk left the cursor as the last
/// committed chunk did, and the next call here carries on from it.
struct Expander {
    let planners: PlannerCache
    var clock: TransitionClock = .database

    /// Inserts one chunk; false when no expansion is waiting for a scheduler.
    func step(_ connection: PostgresConnection) throws -> Bool {
        try connection.transaction { connection in
            guard let row = try connection.query(ExpansionSQL.pickUnderWay.query()).first else { return false }
            let launchID = try row.decode(String.self, column: "launch_id")
            guard let plan = try planners.plan(connection, launchID: launchID),
                  let launch = try LaunchRecord.lock(connection, id: launchID) else { return false }
            let progression = LaunchProgression(connection: connection, launch: launch, plan: plan, now: clock.now)
            guard try progression.continueExpansion() else { return true }
            try progression.flush()
            return true
        }
    }
}
