import Foundation
import Logging
import SweepStore
import Synchronization

/// Rate limits `POST /api/v1/progress` per run (per task token): a report within the interval after the last one
/// written is held, replaced by later ones (the latest message wins), and written by this object's thread when the
/// interval has passed. A task posting progress in a tight loop costs the database one event per interval, not
/// one per post, and its last message still arrives. Two threads write (a request's and the flushing one), outside
/// the lock: the throttle tracks each run's write in flight, so a run's events are written one at a time, in the
/// order they were posted, at least an interval apart (a held report's write, slow under load, was once overtaken
/// by the next post's).
final class ProgressCoalescer: Sendable {
    struct Report: Sendable {
        let percent: Double?
        let message: String
    }

    let database: Database
    let logger: Logger
    private let throttle: Mutex<ProgressThrottle<String, Report>>
    private let started = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)

    init(database: Database, interval: Duration, logger: Logger = Logger(label: "sweep-api.progress")) {
        self.database = database
        self.logger = logger
        throttle = Mutex(ProgressThrottle(interval: interval, tracksWrites: true))
    }

    /// Writes the report now (true: the token was valid) or holds it for later (true after checking the token).
    /// False: the token is unknown or its run is no longer running.
    func report(token: String, _ report: Report) throws -> Bool {
        let now = throttle.withLock { $0.offer(token, report, now: .now) }
        if let now {
            defer { written(token) }
            return try database.system { try ProgressStore.report($0, token: token, percent: now.percent, message: now.message) }
        }
        guard try database.system({ try ProgressStore.isRunning($0, token: token) }) else {
            _ = throttle.withLock { $0.finish(token) }
            return false
        }
        startIfNeeded()
        wake.signal()
        return true
    }

    /// A run's write ended (either way): its next report may go out an interval from now; the flushing thread
    /// learns when (a report held during the write had no due time).
    private func written(_ token: String) {
        throttle.withLock { $0.written(token, now: .now) }
        wake.signal()
    }

    private func startIfNeeded() {
        guard started.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        let thread = Thread { [self] in flushForever() }
        thread.name = "progress-coalescer"
        thread.start()
    }

    /// Writes held reports as they fall due. Lives as long as the process (a worker stops with its process).
    private func flushForever() {
        while true {
            let next = throttle.withLock { $0.nextDue() }
            if let next {
                let wait = next - .now
                if wait > .zero { _ = self.wake.wait(timeout: .now() + .nanoseconds(Int(wait.components.seconds) * 1_000_000_000 + Int(wait.components.attoseconds / 1_000_000_000))) }
            } else {
                self.wake.wait()
            }
            let due = throttle.withLock { $0.due(now: .now) }
            for (token, report) in due {
                do {
                    // False when the run ended meanwhile: a progress report after its end means nothing.
                    _ = try database.system { try ProgressStore.report($0, token: token, percent: report.percent, message: report.message) }
                } catch {
                    logger.warning("could not write a held progress report", metadata: ["error": "\(error)"])
                }
                throttle.withLock { $0.written(token, now: .now) }
            }
        }
    }
}
