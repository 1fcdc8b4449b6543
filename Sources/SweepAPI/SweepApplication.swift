import Logging
import SweepStore
import Web

/// Wires the controllers into one responder.
public struct SweepApplication: Sendable {
    public let database: Database
    public let router: Router

    /// Answers by status, for `/metrics`.
    public let statuses: HTTPStatusCounts

    /// `expectedMigrations`: the versions `/readyz` requires applied (nil: at least one).
    /// API key -> user; active once an `AuthCacheListener` runs for it.
    public let authCache: AuthCache

    public init(database: Database, streams: (any EventStreams)? = nil, expectedMigrations: Set<Int>? = nil, authCache: AuthCache = AuthCache()) {
        self.database = database
        self.authCache = authCache
        let statuses = HTTPStatusCounts()
        self.statuses = statuses
        var routes = Routes(authenticator: Authenticator(database: database, cache: authCache))
        let routerReference = RouterReference()
        let controllers: [any Controller] = [
            HealthController(database: database),
            OperationsController(database: database, expectedMigrations: expectedMigrations, statuses: statuses, router: routerReference),
            AuthController(database: database),
            APIKeyController(database: database),
            UserController(database: database),
            DestinationController(database: database),
            FunctionController(database: database),
            ContainerController(database: database),
            WorkflowController(database: database),
            LaunchController(database: database),
            EventController(database: database, streams: streams),
            ProgressController(database: database),
        ]
        for controller in controllers { controller.register(&routes) }
        router = routes.router
        routerReference.set(router)
    }

    public var responder: any Responder {
        MiddlewareChain([MetricsMiddleware(statuses: statuses), AuthCacheMiddleware(cache: authCache), ErrorMiddleware()], responder: router)
    }
}
