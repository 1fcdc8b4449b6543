import Foundation
import Logging
import Postgres
import SweepStore
import Synchronization

/// A thread holding one LISTEN connection: new work and cancellations wake the engine instead of it polling.
final class NotificationListener: Sendable {
    let url: String
    let logger: Logger
    /// The engine's own connection: its `ready` notifications announce runs it may already have claimed. Changes
    /// when the engine reconnects.
    var ownBackendPID: Int32 {
        get { ownPID.load(ordering: .relaxed) }
        set { ownPID.store(newValue, ordering: .relaxed) }
    }
    private let ownPID: Atomic<Int32>
    let onReady: @Sendable () -> Void
    let onCancel: @Sendable (String) -> Void
    let onWaiting: @Sendable () -> Void
    private let stopping = SendableFlag()
    private let finished = DispatchSemaphore(value: 0)

    init(url: String, logger: Logger, ownBackendPID: Int32, onReady: @escaping @Sendable () -> Void, onCancel: @escaping @Sendable (String) -> Void,
         onWaiting: @escaping @Sendable () -> Void = {}) {
        self.url = url
        self.logger = logger
        self.ownPID = Atomic(ownBackendPID)
        self.onReady = onReady
        self.onCancel = onCancel
        self.onWaiting = onWaiting
    }

    func start() {
        let thread = Thread { [self] in
            loop()
            finished.signal()
        }
        thread.name = "scheduler-listener"
        thread.start()
    }

    func stop() {
        stopping.set()
        finished.wait()
    }

    private func loop() {
        var backoff = ReconnectBackoff()
        while !stopping.isSet {
            do {
                let listener = try PostgresListener(url: url, applicationName: "sweep-scheduler-listener")
                try listener.listen(SchedulerChannels.ready)
                try listener.listen(SchedulerChannels.cancel)
                try listener.listen(SchedulerChannels.waiting)
                backoff.succeeded()
                // After (re)connecting, look for work that was announced while nobody listened.
                onReady()
                while !stopping.isSet {
                    for notification in try listener.wait(timeout: .milliseconds(250)) {
                        if notification.channel == SchedulerChannels.cancel {
                            onCancel(notification.payload)
                        } else if notification.channel == SchedulerChannels.waiting {
                            // Our own too: a run this loop made due (a child to create) is handled at once.
                            onWaiting()
                        } else if notification.pid != ownBackendPID {
                            logger.debug("ready notification", metadata: ["from": "\(notification.pid)", "own": "\(ownBackendPID)"])
                            onReady()
                        }
                    }
                }
            } catch {
                if backoff.failures == 0 { logger.warning("listener connection lost; reconnecting", metadata: ["error": "\(error)"]) }
                backoff.pause()
            }
        }
    }
}
