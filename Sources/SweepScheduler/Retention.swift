import Foundation
import Postgres
import SweepStates

/// Deletes launches that ended more than `days` ago, with their runs, events and logs (the statement trigger on
/// launches deletes those rows, migration 0004), a small batch at a time so no transaction holds many locks or
/// writes much WAL at once. Every scheduler loop runs it without a leader: SKIP LOCKED hands each batch to one.
/// The clock is injectable (`now`), so tests move time instead of waiting 30 days.
struct Retention {
    /// `SWEEP_RETENTION_DAYS`; 0 keeps everything.
    static let defaultDays = 30
    static let defaultBatchSize = 20
    /// `SWEEP_RETENTION_INTERVAL_MS`: how often each loop looks (sooner while a full batch came back).
    static let defaultInterval: Duration = .seconds(60)

    let days: Int
    let batchSize: Int

    init(days: Int = Retention.defaultDays, batchSize: Int = Retention.defaultBatchSize) {
        self.days = days
        self.batchSize = batchSize
    }

    /// Deletes one batch; returns how many launches went.
    func sweep(_ connection: PostgresConnection, now: Date? = nil) throws -> Int {
        guard days > 0 else { return 0 }
        return try connection.execute("""
            DELETE FROM launches WHERE id IN (
                SELECT id FROM launches
                WHERE finished_at < coalesce(\(now)::timestamptz, now()) - make_interval(days => \(days)::int)
                  AND state IN \(unsafeSQL: LaunchState.sqlList(LaunchState.terminal))
                ORDER BY finished_at
                LIMIT \(batchSize) FOR UPDATE SKIP LOCKED)
            """)
    }
}
