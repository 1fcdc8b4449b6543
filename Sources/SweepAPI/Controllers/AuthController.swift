import SweepCrypto
import SweepJSON
import SweepStore
import Web

/// Login, logout and `/me`. Unknown user and wrong password give the same answer after the same work.
struct AuthController: Controller {
    let database: Database

    func register(_ routes: inout Routes) {
        routes.open(.POST, "/api/v1/auth/login", login)
        routes.tenant(.POST, "/api/v1/auth/logout", logout)
        routes.tenant(.POST, "/api/v1/auth/logout-all", logoutAll)
        routes.tenant(.GET, "/api/v1/me") { _, tenant, _ in .json(render(tenant.user)) }
    }

    @Sendable func login(_ request: Request, _ context: RequestContext) throws -> Response {
        // JSON only: a form post (which a browser sends cross-site without a preflight) is not a login.
        let mediaType = request.header("content-type")?.split(separator: ";").first.map { $0.trimmingSpaces.lowercased() }
        guard mediaType == "application/json" else {
            throw APIError(status: .unsupportedMediaType, code: "unsupported_media_type", message: "login takes a JSON body (Content-Type: application/json)")
        }
        let body = JSONFields(try request.jsonObject())
        let username = try body.requiredString("username")
        let password = try body.requiredString("password")
        let found = try database.system { try UserStore.credentials($0, username: username) }
        guard let (user, hash) = found else {
            _ = PasswordHash.dummyVerify(password)
            throw Self.invalidCredentials
        }
        guard PasswordHash.verify(password, hash: hash) else { throw Self.invalidCredentials }
        let token = try database.system { try SessionStore.create($0, userID: user.id) }
        var response = Response.json(["user": render(user)])
        response.setHeader("Set-Cookie", "\(Authenticator.sessionCookie)=\(token); \(Authenticator.cookieAttributes(request)); Max-Age=\(SessionStore.lifetimeSeconds)")
        response.setHeader("Cache-Control", "no-store")
        return response
    }

    @Sendable func logout(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        if let token = request.cookie(Authenticator.sessionCookie) {
            try database.system { try SessionStore.revoke($0, token: token) }
        }
        return Self.clearingCookie(request)
    }

    /// Ends every session of the user, on every device (a lost laptop); API keys stay (revoke those one by one).
    @Sendable func logoutAll(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        _ = try database.tenant(tenant.userID) { try SessionStore.revokeAll($0) }
        return Self.clearingCookie(request)
    }

    static func clearingCookie(_ request: Request) -> Response {
        var response = Response.noContent()
        response.setHeader("Set-Cookie", "\(Authenticator.sessionCookie)=; \(Authenticator.cookieAttributes(request)); Max-Age=0")
        return response
    }

    static let invalidCredentials = APIError(status: .unauthorized, code: "invalid_credentials", message: "unknown username or wrong password")

    func render(_ user: User) -> JSONValue {
        ["username": .string(user.username), "is_admin": .bool(user.isAdmin)]
    }
}
