import Logging
import SweepStore
import Web

/// Wires the controllers into one responder.
public struct SweepApplication: Sendable {
    public let database: Database
    public let router: Router

    /// Requests whose bodies the transport must hand over as a stream, unbuffered and past its usual body limit:
    /// artifact uploads (any size up to the stored-bytes limit).
    public static func streamsBody(_ method: HTTPMethod, _ path: String) -> Bool {
        method == .PUT && path.hasPrefix("/api/v1/artifacts/")
    }

    /// `artifacts` defaults to the embedded PostgreSQL blob store with the default stored-bytes limit.
    public init(database: Database, streams: (any EventStreams)? = nil, artifacts: ArtifactLibrary? = nil) {
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
            LaunchController(database: database),
            EventController(database: database, streams: streams),
            ProgressController(database: database),
            ArtifactController(library: artifacts ?? ArtifactLibrary(database: database, blobs: PostgresBlobStore(database: database))),
        ]
        for controller in controllers { controller.register(&routes) }
        router = routes.router
    }

    public var responder: any Responder {
        MiddlewareChain([ErrorMiddleware()], responder: router)
    }
}
