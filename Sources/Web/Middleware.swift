/// A step around a responder: it may answer itself, change the request, or call `next`.
public protocol Middleware: Sendable {
    func respond(to request: Request, context: RequestContext, next: any Responder) throws -> Response
}

/// A responder wrapped by middleware, outermost first.
public struct MiddlewareChain: Responder {
    let middleware: [any Middleware]
    let responder: any Responder

    public init(_ middleware: [any Middleware], responder: any Responder) {
        self.middleware = middleware
        self.responder = responder
    }

    public func respond(to request: Request, context: RequestContext) throws -> Response {
        try Link(middleware: middleware[...], responder: responder).respond(to: request, context: context)
    }

    private struct Link: Responder {
        let middleware: ArraySlice<any Middleware>
        let responder: any Responder
        func respond(to request: Request, context: RequestContext) throws -> Response {
            guard let first = middleware.first else { return try responder.respond(to: request, context: context) }
            return try first.respond(to: request, context: context, next: Link(middleware: middleware.dropFirst(), responder: responder))
        }
    }
}
