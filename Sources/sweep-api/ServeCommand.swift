import ArgumentParser
import FastCGI
import Foundation
import Logging
import Postgres
import Service
import SweepAPI
import SweepStore

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the API over FastCGI until SIGTERM.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Unix socket path or :PORT to listen on (default: $SWEEP_SOCKET or .run/api.sock).")
    var socket: String?

    @Option(help: "Request threads (default: $SWEEP_WORKER_THREADS or 16).")
    var threads: Int?

    @Option(name: .customLong("max-body-bytes"), help: "Largest request body accepted (default 16 MiB).")
    var maxBodyBytes: Int = 16 << 20

    @Option(name: .customLong("auth-cache-seconds"), help: "Longest an API key's user stays cached; revocations reach the cache at once through NOTIFY, this is a safety net. 0 turns the cache off (default: $SWEEP_AUTH_CACHE_SECONDS or 30).")
    var authCacheSeconds: Int?

    @Flag(help: "Apply missing migrations before serving.")
    var migrate = false

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        ServiceLogging.bootstrap(environment)
        let logger = Logger(label: "sweep-api")
        raiseOpenFileLimit(logger: logger)
        let threadCount = threads ?? Int(environment["SWEEP_WORKER_THREADS"] ?? "") ?? 16
        let url = try database.url()
        if migrate {
            _ = try Migrator(directory: database.migrations).migrate(try PostgresConnection(url: url))
        }
        let pool = PostgresPool(url: url, maxConnections: threadCount + 2)
        let hub = EventStreamHub(url: url, logger: Logger(label: "sweep-api.events"))
        hub.start()
        // /readyz answers 503 until every migration of this build is applied.
        let expected = (try? Migrator(directory: database.migrations)).map { Set($0.migrations.map(\.version)) }
        let authCache = AuthCache(timeToLive: .seconds(authCacheSeconds ?? Int(environment["SWEEP_AUTH_CACHE_SECONDS"] ?? "") ?? Int(AuthCache.defaultTimeToLive.components.seconds)))
        let authListener = AuthCacheListener(url: url, cache: authCache, logger: Logger(label: "sweep-api.auth"))
        authListener.start()
        let application = SweepApplication(database: Database(pool: pool), streams: hub, expectedMigrations: expected, authCache: authCache)
        let server = FastCGIServer(
            configuration: .init(bindAddress: socket ?? environment["SWEEP_SOCKET"] ?? ".run/api.sock", threads: threadCount, maxBodyBytes: maxBodyBytes),
            responder: application.responder,
            logger: logger)
        try server.run()
        authListener.stop()
        hub.stop()
        pool.close()
    }

    /// Every open SSE stream keeps its FastCGI connection from nginx open: thousands of streams need more than the
    /// usual soft limit of 1024 descriptors. Raise the soft limit to the hard limit (no privilege needed).
    private func raiseOpenFileLimit(logger: Logger) {
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        let wanted = limit.rlim_max
        limit.rlim_cur = wanted
        if setrlimit(resource, &limit) != 0 {
            logger.warning("could not raise the open-file limit", metadata: ["hard": "\(wanted)", "errno": "\(errno)"])
        }
    }
}
