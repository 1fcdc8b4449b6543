import Foundation
import Postgres
import SweepJSON
import SweepModel
import SweepStore

/// The chain fast path: a run that succeeded and has one plain successor (`Planner.plainSuccessor`) is recorded,
/// and that successor prepared, scheduled and claimed, in one statement in autocommit (`ChainStepRoutine`, built
/// from the named statements of every other path) instead of a transaction of nine round trips. The successor's
/// input comes from the same planner call the general path makes, with the same predecessor record; the routine
/// refuses (no row, nothing changed) whenever the database disagrees with what the planner assumed, and the
/// completion then takes the general path.
struct ChainFastPath {
    let planners: PlannerCache
    let schedulerID: String
    let leaseSeconds: Int
    var clock: TransitionClock = .database

    /// The claimed successor, or nil when this completion must take the general path.
    func completeAndClaim(_ connection: PostgresConnection, _ completion: RunCompletion) throws -> ClaimedRun? {
        guard let statement = try statement(connection, completion) else { return nil }
        return try claim(connection, statement)
    }

    /// Runs a step `statement` made: the claimed successor, or nil when the routine refused.
    func claim(_ connection: PostgresConnection, _ statement: PostgresQuery) throws -> ClaimedRun? {
        try connection.query(statement).first.map { try ClaimedRun($0) }
    }

    /// The routine's call for this completion, or nil when it must take the general path (decided by the planner
    /// alone: nothing is written).
    func statement(_ connection: PostgresConnection, _ completion: RunCompletion) throws -> PostgresQuery? {
        guard case .succeeded(let output) = completion.outcome, let run = completion.identity,
              let plan = try planners.plan(connection, launchID: completion.launchID) else { return nil }
        let record = RunRecord(name: run.name, taskID: run.taskID, replicaPath: [], output: output)
        guard let successor = plan.planner.plainSuccessor(of: record),
              case .execute(let runInput) = plan.planner.prepare(successor, predecessors: [record], launchInput: plan.input, in: ReplicaCounts())
        else { return nil }
        let exec = plan.execPlan(successor.taskID, runInput)
        // A successor run by a remote executor is claimed by one (`TaskRunSQL.claimForExecutor`), never here.
        if exec["alternatives"]?.arrayValue?.first?["kind"]?.stringValue == "executor" { return nil }
        return """
            SELECT * FROM \(unsafeSQL: ChainStepRoutine.name)(
                \(completion.runID), \(completion.attempt)::int, \(output)::jsonb, \(completion.logs)::text, \(completion.finishedAt.timeIntervalSince1970),
                \(successor.name)::text, \(runInput.input)::jsonb, \(exec)::jsonb,
                \(runInput.staticOutput ?? .null)::jsonb, \(schedulerID)::text, \(leaseSeconds)::int, \(clock.now)::timestamptz)
            """
    }
}
