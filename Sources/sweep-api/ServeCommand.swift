import ArgumentParser
import Egress
import FastCGI
import Foundation
import Logging
import Postgres
import Service
import SweepAPI
import SweepCrypto
import SweepStore

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the API over FastCGI until SIGTERM.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Unix socket path or :PORT to listen on (default: $SWEEP_SOCKET or .run/api.sock).")
    var socket: String?

    @Option(help: "Request threads (default: $SWEEP_WORKER_THREADS or 16).")
    var threads: Int?

    @Option(name: .customLong("active-threads"), help: "How many request threads run at once; the others take over while those wait on PostgreSQL (default: $SWEEP_WORKER_ACTIVE_THREADS or the number of processors).")
    var activeThreads: Int?

    // Container image archives are the largest bodies (128 MiB); nginx holds every other route to 16 MiB and each
    // route checks its own limit.
    @Option(name: .customLong("max-body-bytes"), help: "Largest request body accepted (default 128 MiB).")
    var maxBodyBytes: Int = 128 << 20

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
        let activeCount = activeThreads ?? Int(environment["SWEEP_WORKER_ACTIVE_THREADS"] ?? "")
        guard threadCount > 0, (activeCount ?? 1) > 0 else { throw ValidationError("request threads and active threads must be at least 1") }
        let url = try database.url()
        let limits = try LimitDefaults(environment: environment)  // refused at start, not ignored
        if migrate {
            _ = try Migrator(directory: database.migrations).migrate(try PostgresConnection(url: try database.ownerURL()))
        }
        let security = try securitySettings(environment, logger: logger)
        let store = Database(url: url, maxConnections: threadCount + 2)
        let hub = EventStreamHub(url: url, logger: Logger(label: "sweep-api.events"))
        hub.start()
        // /readyz answers 503 until every migration of this build is applied.
        let expected = (try? Migrator(directory: database.migrations)).map { Set($0.migrations.map(\.version)) }
        let authCache = AuthCache(timeToLive: .seconds(authCacheSeconds ?? Int(environment["SWEEP_AUTH_CACHE_SECONDS"] ?? "") ?? Int(AuthCache.defaultTimeToLive.components.seconds)))
        let authListener = AuthCacheListener(url: url, cache: authCache, logger: Logger(label: "sweep-api.auth"))
        authListener.start()
        let artifacts = ArtifactLibrary(
            database: store, blobs: try BlobStoreFactory.make(environment: environment, database: store),
            limits: try StorageLimits(environment: environment))
        logger.info("blob store", metadata: ["store": "\(artifacts.blobs.name)", "stored_bytes_limit": "\(artifacts.limits.defaultStoredBytes)"])
        let parking = ParkedRequests(
            url: url, capacity: max(1, Int(environment["SWEEP_MAX_PARKED_REQUESTS"] ?? "") ?? ParkedRequests.defaultCapacity),
            logger: Logger(label: "sweep-api.parked"),
            sweepInterval: Int(environment["SWEEP_PARKED_RECHECK_MS"] ?? "").flatMap { $0 > 0 ? Duration.milliseconds($0) : nil }
                ?? ParkedRequests.recheckInterval)
        parking.start()
        // Remote executors' assignment leases (heartbeats renew them); tests shorten them to see a lease expire.
        let executorLease = environment["SWEEP_EXECUTOR_LEASE_SECONDS"].flatMap { Int($0) } ?? SweepApplication.defaultExecutorLeaseSeconds
        guard (1...3600).contains(executorLease) else { throw ValidationError("SWEEP_EXECUTOR_LEASE_SECONDS must be 1 to 3600 seconds") }
        let progressInterval = Int(environment["SWEEP_PROGRESS_INTERVAL_MS"] ?? "").flatMap { $0 >= 0 ? Duration.milliseconds($0) : nil }
        let serverConfiguration = FastCGIServer.Configuration(
            bindAddress: socket ?? environment["SWEEP_SOCKET"] ?? ".run/api.sock", threads: threadCount, activeThreads: activeCount,
            maxBodyBytes: maxBodyBytes, streamsBody: SweepApplication.streamsBody)
        let gate = ActiveThreadGate(limit: serverConfiguration.activeThreads)
        let application = SweepApplication(
            database: store, streams: hub, parking: parking,
            progressInterval: progressInterval ?? ProgressThrottle<String, Never>.defaultInterval,
            security: security, limits: limits, artifacts: artifacts, expectedMigrations: expected, authCache: authCache,
            executorLeaseSeconds: executorLease, requestThreads: gate)
        let server = FastCGIServer(configuration: serverConfiguration, responder: application.responder, logger: logger, gate: gate)
        try server.run()
        parking.stop()
        authListener.stop()
        hub.stop()
        store.close()
    }

    /// Parsed and checked once: a setting that is present but wrong stops the worker at start.
    private func securitySettings(_ environment: [String: String], logger: Logger) throws -> SecuritySettings {
        var settings = SecuritySettings(egress: try EgressPolicy(allowList: environment["SWEEP_EGRESS_ALLOW"] ?? ""))
        if let path = environment["SWEEP_SECRET_KEY_FILE"], !path.isEmpty {
            settings.secrets = try SecretBox(keyFile: path)
        } else {
            logger.warning("SWEEP_SECRET_KEY_FILE is not set: destinations with credentials will be refused")
        }
        if let text = environment["SWEEP_SESSION_IDLE_SECONDS"], !text.isEmpty {
            guard let seconds = Int(text), seconds >= 60 else { throw ValidationError("SWEEP_SESSION_IDLE_SECONDS must be a whole number of seconds, at least 60") }
            settings.sessionIdleSeconds = seconds
        }
        return settings
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
