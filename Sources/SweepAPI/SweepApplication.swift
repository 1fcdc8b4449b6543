import Logging
import SweepModel
import SweepStore
import Web

/// Wires the controllers into one responder.
public struct SweepApplication: Sendable {
    public let database: Database
    public let router: Router

    /// Answers by status, for `/metrics`.
    public let statuses: HTTPStatusCounts
    /// API key -> user; active once an `AuthCacheListener` runs for it.
    public let authCache: AuthCache
    /// The lease of an executor's assignment unless configured (`SWEEP_EXECUTOR_LEASE_SECONDS`): heartbeats renew it.
    public static let defaultExecutorLeaseSeconds = 60

    /// Requests whose bodies the transport must hand over as a stream, unbuffered and past its usual body limit:
    /// artifact uploads (any size up to the stored-bytes limit).
    public static func streamsBody(_ method: HTTPMethod, _ path: String) -> Bool {
        method == .PUT && (path.hasPrefix("/api/v1/artifacts/") || path.hasPrefix("/api/v1/run/files/"))
    }

    /// `limits` are the defaults of users with no limits set (`SWEEP_LIMIT_*`, read by `sweep-api serve`);
    /// `artifacts` defaults to the embedded PostgreSQL blob store with the default stored-bytes limit;
    /// `expectedMigrations`: the versions `/readyz` requires applied (nil: at least one).
    public init(
        database: Database, streams: (any EventStreams)? = nil, parking: ParkedRequests? = nil,
        progressInterval: Duration = ProgressThrottle<String, Never>.defaultInterval,
        security: SecuritySettings = SecuritySettings(), limits: LimitDefaults = LimitDefaults(),
        artifacts: ArtifactLibrary? = nil, expectedMigrations: Set<Int>? = nil, authCache: AuthCache = AuthCache(),
        executorLeaseSeconds: Int = SweepApplication.defaultExecutorLeaseSeconds, requestThreads: (any RequestThreadGauge)? = nil
    ) {
        self.database = database
        self.authCache = authCache
        let statuses = HTTPStatusCounts()
        self.statuses = statuses
        let streamAdmission = StreamAdmission()
        var routes = Routes(authenticator: Authenticator(database: database, sessionIdleSeconds: security.sessionIdleSeconds, cache: authCache))
        let routerReference = RouterReference()
        let executorClaims = ExecutorClaimCounts()
        let artifacts = artifacts ?? ArtifactLibrary(database: database, blobs: PostgresBlobStore(database: database))
        let controllers: [any Controller] = [
            HealthController(database: database),
            OperationsController(database: database, expectedMigrations: expectedMigrations, statuses: statuses, router: routerReference,
                                 executorClaims: executorClaims, parking: parking, requestThreads: requestThreads),
            AuthController(database: database),
            APIKeyController(database: database),
            UserController(database: database),
            UserLimitController(database: database, defaults: limits),
            DestinationController(database: database, security: security),
            FunctionController(database: database),
            ContainerController(database: database),
            WorkflowController(database: database, limits: limits),
            LaunchController(database: database, limits: limits, parking: parking),
            LaunchOperationsController(database: database),
            SignalController(database: database),
            EventController(database: database, streams: streams, limits: limits, admission: streamAdmission),
            ProgressController(database: database, coalescer: ProgressCoalescer(database: database, interval: progressInterval)),
            ArtifactController(library: artifacts),
            // Backend workflows (issue 15): /call and the run API's shared data and response items.
            CallController(database: database, limits: limits, parking: parking, artifacts: artifacts),
            RunDataController(database: database),
            RunFileController(artifacts: artifacts, parking: parking, logStreams: streams as? any RunLogStreams, limits: limits, admission: streamAdmission),
            RunInputFileController(database: database),
            ExecutorController(database: database, limits: limits, parking: parking, leaseSeconds: executorLeaseSeconds, counts: executorClaims),
            RunReportController(database: database, leaseSeconds: executorLeaseSeconds, admission: OutputAdmission()),
        ]
        for controller in controllers { controller.register(&routes) }
        router = routes.router
        routerReference.set(router)
    }

    public var responder: any Responder {
        MiddlewareChain([MetricsMiddleware(statuses: statuses), AuthCacheMiddleware(cache: authCache), ErrorMiddleware(),
                         DatabaseUnavailableMiddleware()], responder: router)
    }
}
