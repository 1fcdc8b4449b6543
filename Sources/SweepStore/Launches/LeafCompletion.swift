import Foundation
import Postgres
import SweepJSON

/// Successes of runs that nothing depends on, in a launch without max_task_concurrency: nothing becomes ready,
/// nothing is admitted, so recording them needs no planning and no lock held across statements. One statement
/// records them (`TaskRunSQL.recordSuccesses`, fenced by state and attempt, with their events), and counts them on
/// the launch row last (`LaunchSQL.countSucceeded`), so the launch's row lock is held only from that update to
/// COMMIT: schedulers sharing a wide launch do not queue behind one another's whole transaction. The caller ends
/// the launch through `LaunchProgression` when this answers that nothing is open any more.
public enum LeafCompletion {
    /// The statement; `alone`, the one that commits on its own: it refuses to close the launch's last runs
    /// (`LastLeafGuard`) and sends no NOTIFY (its caller announces the events in its next transaction: a NOTIFY
    /// holds PostgreSQL's one notification lock from just before COMMIT to its end, WAL flush included, so
    /// every commit that notifies waits for the others; measured: 70-150 such waits over 2 ms per
    /// 20,000-replica scatter when these statements notified too).
    static func statement(alone: Bool) -> SQLTemplate {
        SQLTemplate("""
            WITH results AS (
                SELECT * FROM jsonb_to_recordset($results::jsonb) AS r(\(TaskRunSQL.resultColumns))
            ), \(TaskRunSQL.recordSuccesses), \(LaunchSQL.countSucceeded(from: "logged"))
            SELECT \(alone ? "\(LastLeafGuard.name)((SELECT open_runs FROM counted))" : "(SELECT open_runs FROM counted)") AS open_runs
                   \(alone ? "" : ", (SELECT pg_notify('\(EventWriter.channel)', $launch::uuid::text) FROM counted) AS notified")
            """)
    }
    static let statement = statement(alone: false)
    static let statementAlone = statement(alone: true)

    /// Returns the launch's open runs after counting these, or nil when none was accepted (stale attempts, or a
    /// cancelled launch whose runs were closed already).
    public static func record(_ connection: PostgresConnection, launchID: String, _ completions: [RunCompletion]) throws -> Int? {
        try record(connection, statement, launchID: launchID, completions)
    }

    /// Records `completions` in a statement of their own, outside any transaction: it commits as it ends, so the
    /// launch's row, which every scheduler completing runs of this launch updates, is held from the statement's
    /// last write to its commit, never across a round trip to the scheduler (in a step's transaction, the other
    /// schedulers waited for this one to be scheduled again and send COMMIT: 1-2 s of waits over 2 ms per
    /// 20,000-replica scatter with two schedulers, up to 150 ms each on a loaded machine; session 10).
    /// False, with nothing changed, when these would close the launch's last open runs (`LastLeafGuard`): the
    /// caller records them with `record` in a transaction that ends the launch too. True: recorded (or stale);
    /// the caller announces the launch's events (`EventWriter.announce`).
    public static func recordAlone(_ connection: PostgresConnection, launchID: String, _ completions: [RunCompletion]) throws -> Bool {
        precondition(!connection.isInTransaction, "recordAlone commits on its own")
        do {
            _ = try record(connection, statementAlone, launchID: launchID, completions)
            return true
        } catch let error as PostgresError where error.sqlState == LastLeafGuard.sqlState {
            return false
        }
    }

    static func record(_ connection: PostgresConnection, _ statement: SQLTemplate, launchID: String, _ completions: [RunCompletion]) throws -> Int? {
        guard let successes = RunCompletion.successRecords(completions) else { return nil }
        let row = try connection.query(statement.query([
            "results": successes.postgresBind, "launch": launchID.postgresBind, "admitted": 0.postgresBind,
        ]))[0]
        return try row.decode(Int?.self, column: "open_runs")
    }
}
