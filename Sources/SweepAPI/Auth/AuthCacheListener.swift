import Foundation
import Logging
import Postgres
import Synchronization
import SweepStore

/// One thread holding a LISTEN connection on `sweep_auth`, dropping cached users as notifications arrive. While it
/// is not connected the cache is off (every request asks the database), so a lost connection can never leave a
/// revoked key working.
public final class AuthCacheListener: Sendable {
    static let reconnectDelay: TimeInterval = 0.5

    let url: String
    let cache: AuthCache
    let logger: Logger
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    public init(url: String, cache: AuthCache, logger: Logger) {
        self.url = url
        self.cache = cache
        self.logger = logger
    }

    public func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "auth-cache-listener"
        thread.start()
    }

    /// Returns within about a second (the listener's wait).
    public func stop() {
        stopping.store(true, ordering: .releasing)
        finished.wait()
    }

    private func run() {
        while !stopping.load(ordering: .acquiring) {
            do {
                let listener = try PostgresListener(url: url, applicationName: "sweep-auth-cache")
                try listener.listen(AuthChannels.changed)
                cache.listenerConnected()
                while !stopping.load(ordering: .acquiring) {
                    for notification in try listener.wait(timeout: .seconds(1)) {
                        if let userID = Int64(notification.payload) {
                            cache.invalidate(userID: userID)
                        } else {
                            cache.invalidateAll()
                        }
                    }
                }
                cache.listenerDisconnected()
            } catch {
                cache.listenerDisconnected()
                logger.warning("auth cache listener lost its database connection; cache off until it reconnects", metadata: ["error": "\(error)"])
                Thread.sleep(forTimeInterval: Self.reconnectDelay)
            }
        }
    }
}
