import Foundation
import Postgres
import SweepStore

/// Batch isolation: one run whose result PostgreSQL refuses (a `\u0000` in its JSON output, text it cannot hold)
/// must neither roll back the good results it came with nor stop the loop. When a step fails for such a reason,
/// its completions are recorded one by one, each in its own transaction; one refused again is recorded as its
/// run's failure (`output_rejected: ` and PostgreSQL's reason), and its launch proceeds as for any failure.
extension SchedulerEngine.Loop {
    mutating func stepIsolatingRuns() throws {
        do {
            try step()
        } catch let error as PostgresError where error.isRunLevel && !ready.isEmpty {
            logger.warning("a result was refused; recording the batch one run at a time", metadata: ["error": "\(error.message)"])
            recordOneByOne()
        }
    }

    /// Records each completion of `ready` alone; the claim waits for the next step.
    mutating func recordOneByOne() {
        let completions = ready
        ready.removeAll()
        for completion in completions {
            do {
                try connection.transaction { _ = try completer.complete($0, [completion]) }
            } catch let error as PostgresError where error.isRunLevel {
                do {
                    try connection.transaction { _ = try completer.complete($0, [completion.rejected(error.message)]) }
                    logger.warning("run failed: its result was refused", metadata: ["run": "\(completion.runID)", "error": "\(error.message)"])
                } catch {
                    // Its lease expires and the rescuer retries or fails it; the others were recorded.
                    logger.error("could not record a refused result", metadata: ["run": "\(completion.runID)", "error": "\(error)"])
                }
            } catch {
                // Not about this run (the connection, a deadlock): keep it for the next step.
                ready.append(completion)
            }
        }
    }
}

extension PostgresError {
    /// PostgreSQL refused the data of a statement (SQLSTATE class 22, data exception: an unsupported `\u0000`,
    /// an invalid byte sequence, a value out of range; class 54, a program limit such as nesting depth): a problem
    /// of the run whose values these were, not of the database or the loop.
    var isRunLevel: Bool {
        guard let state = sqlState else { return false }
        return state.hasPrefix("22") || state.hasPrefix("54")
    }
}
