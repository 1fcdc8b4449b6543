import Foundation
import Postgres
import SweepJSON
import SweepStore

/// Claims ready runs in River's shape (`TaskRunSQL.claim`): a CTE picks claimable rows fairly across users with
/// FOR UPDATE SKIP LOCKED, and the UPDATE turns them into leases of this scheduler, bumping `attempt` (the fencing
/// token). The same statement marks waiting launches running and appends the `task.started` / `launch.started`
/// events: one round trip.
struct Claimer {
    let schedulerID: String
    let leaseSeconds: Int
    var clock: TransitionClock = .database
    /// The running cap of users without a `user_limits` value (`SchedulerConfiguration.defaultMaxRunningRuns`).
    var defaultMaxRunningRuns: Int = LimitDefaults.defaultMaxRunningRuns
    /// The exec texts of recent claims, parsed once (`ExecutionPlans`).
    let plans = ExecutionPlans()
    /// A claim slower than this has its session's cached plans discarded (see `claim`).
    static let replanAfter: Duration = .milliseconds(50)

    /// Claims up to `limit` runs; call inside a transaction (the events commit with the claim). A claimed row that
    /// cannot be decoded (its input no longer parses) comes back as a failure to record, not as an error: one run
    /// must not stop every claim.
    func claim(_ connection: PostgresConnection, limit: Int) throws -> (runs: [ClaimedRun], rejected: [RunCompletion]) {
        guard limit > 0 else { return ([], []) }
        var runs: [ClaimedRun] = []
        var rejected: [RunCompletion] = []
        let started = ContinuousClock.now
        let rows = try connection.query("""
            SELECT * FROM \(unsafeSQL: ClaimRoutine.name)(\(limit)::int, \(schedulerID)::text, \(leaseSeconds)::int, \(clock.now)::timestamptz,
                                                        \(defaultMaxRunningRuns)::int)
            """)
        // The routine runs on a generic plan, made once per session (ClaimRoutine). Made while task_runs was
        // physically empty after a VACUUM had set its reltuples to 0 (PostgreSQL then takes the table's current size,
        // 0 pages, rather than its 10-page guess for a never-vacuumed table), that plan walks the whole table for
        // each claim: 200-400 ms a claim at 10-20,000 runs, a 20,000-run launch at ~490 runs/s instead of ~8,000
        // (docs/PLATFORM-NOTES.md, "Session 11"). Autovacuum's next ANALYZE would re-plan it within its naptime
        // (a minute); a claim this slow re-plans at once instead. A slow claim for another reason (lock waits, a
        // loaded machine) costs one re-plan, a few milliseconds.
        if ContinuousClock.now - started > Self.replanAfter {
            try connection.simpleQuery(unsafeSQL: "DISCARD PLANS")
        }
        for row in rows {
            do {
                runs.append(try ClaimedRun(row, plans: plans))
            } catch {
                rejected.append(RunCompletion(
                    runID: try row.decode(Int64.self, column: "id"), launchID: try row.decode(String.self, column: "launch_id"),
                    attempt: try row.decode(Int.self, column: "attempt"), outcome: .failed(RunCompletion.rejectedPrefix + "its input cannot be read: \(error)")))
            }
        }
        return (runs, rejected)
    }
}
