import Web

/// Builds the router: public routes, tenant routes (authenticated) and admin routes (authenticated, admin only).
public struct Routes {
    public private(set) var router = Router()
    let authenticator: Authenticator

    init(authenticator: Authenticator) {
        self.authenticator = authenticator
    }

    mutating func open(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping @Sendable (Request, RequestContext) throws -> Response) {
        router.on(method, pattern, handler)
    }

    mutating func tenant(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping @Sendable (Request, Tenant, RequestContext) throws -> Response) {
        let authenticator = self.authenticator
        router.on(method, pattern) { request, context in
            try handler(request, try authenticator.authenticate(request), context)
        }
    }

    mutating func admin(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping @Sendable (Request, Tenant, RequestContext) throws -> Response) {
        tenant(method, pattern) { request, tenant, context in
            guard tenant.isAdmin else { throw APIError(status: .forbidden, code: "admin_required", message: "only administrators may manage users") }
            return try handler(request, tenant, context)
        }
    }
}

/// A group of routes for one resource.
protocol Controller: Sendable {
    func register(_ routes: inout Routes)
}
