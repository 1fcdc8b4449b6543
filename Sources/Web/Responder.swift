/// Anything that answers a request: a router, a middleware chain, a single handler.
public protocol Responder: Sendable {
    func respond(to request: Request, context: RequestContext) throws -> Response
}

/// A closure as a responder.
public struct ClosureResponder: Responder {
    let body: @Sendable (Request, RequestContext) throws -> Response
    public init(_ body: @escaping @Sendable (Request, RequestContext) throws -> Response) { self.body = body }
    public func respond(to request: Request, context: RequestContext) throws -> Response { try body(request, context) }
}
