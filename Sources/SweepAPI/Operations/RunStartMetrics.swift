import Foundation
import Synchronization
import SweepStore
import Web

/// Claims and their queue wait (ready -> started), accumulated from the database on each scrape: the scheduler
/// processes append a `task.started` event on every claim, so counting starts since the previous scrape gives a counter and
/// a histogram without the schedulers exporting anything. Counting starts at this worker's first scrape (a counter
/// reset, which Prometheus handles).
final class RunStartMetrics: Sendable {
    /// Seconds; queue waits range from a hand-off in a chain (under a millisecond) to a saturated queue (minutes).
    static let bounds: [Double] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800]

    let queueWait = LatencyHistogram(bounds: RunStartMetrics.bounds)
    let claims = AtomicCounter()
    /// The event id where the last scrape stopped; the lock also keeps two concurrent scrapes from counting the same
    /// starts.
    private let watermark = Mutex<Int64?>(nil)

    func refresh(_ query: OperationsQuery) throws {
        try watermark.withLock { since in
            let (waits, through) = try query.startsSince(since)
            for wait in waits { queueWait.observe(seconds: wait) }
            claims.add(waits.count)
            since = through
        }
    }
}
