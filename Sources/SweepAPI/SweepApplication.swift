import Logging
import SweepStore
import Web

/// Wires the controllers into one responder.
public struct SweepApplication: Sendable {
    public let database: Database
    public let router: Router

    public init(
        database: Database, streams: (any EventStreams)? = nil, parking: ParkedRequests? = nil,
        progressInterval: Duration = ProgressThrottle<String, Never>.defaultInterval
    ) {
        self.database = database
        var routes = Routes(authenticator: Authenticator(database: database))
        let controllers: [any Controller] = [
            HealthController(database: database),
            AuthController(database: database),
            APIKeyController(database: database),
            UserController(database: database),
            DestinationController(database: database),
            FunctionController(database: database),
            ContainerController(database: database),
            WorkflowController(database: database),
            LaunchController(database: database, parking: parking),
            EventController(database: database, streams: streams),
            ProgressController(database: database, coalescer: ProgressCoalescer(database: database, interval: progressInterval)),
        ]
        for controller in controllers { controller.register(&routes) }
        router = routes.router
    }

    public var responder: any Responder {
        MiddlewareChain([ErrorMiddleware(), DatabaseUnavailableMiddleware()], responder: router)
    }
}
