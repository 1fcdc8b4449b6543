import Foundation
import Logging
import SweepStore
import Synchronization

/// Rate limits `POST /api/v1/progress` per run (per task token): a report within the interval after the last one
/// written is held, replaced by later ones (the latest message wins), and written by this object's thread when the
/// interval has passed. A task posting progress in a tight loop costs the database one event per interval, not
/// one per post, and its last message still arrives.
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
        throttle = Mutex(ProgressThrottle(interval: interval))
    }

    /// Writes the report now (true: the token was valid) or holds it for later (true after checking the token).
    /// False: the token is unknown or its run is no longer running.
    func report(token: String, _ report: Report) throws -> Bool {
        let now = throttle.withLock { $0.offer(token, report, now: .now) }
        if let now {
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
            }
        }
    }
}
