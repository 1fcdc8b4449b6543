import SweepCrypto
import SweepStore
import Web

/// Resolves a request to a `Tenant`: a Bearer API key, or the session cookie (whose unsafe methods must also carry
/// `X-Requested-With: sweep`, a header a cross-site form cannot send).
public struct Authenticator: Sendable {
    public static let sessionCookie = "sweep_session"
    let database: Database
    let sessionIdleSeconds: Int
    let cache: AuthCache

    public init(database: Database, sessionIdleSeconds: Int = SessionStore.defaultIdleSeconds, cache: AuthCache = AuthCache()) {
        self.database = database
        self.sessionIdleSeconds = sessionIdleSeconds
        self.cache = cache
    }

    /// `Secure` when the client reached us over HTTPS (nginx, or a proxy before it, says so in
    /// X-Forwarded-Proto): the browser then never sends the session over plain HTTP.
    static func cookieAttributes(_ request: Request) -> String {
        "HttpOnly; SameSite=Strict; Path=/" + (request.header("x-forwarded-proto")?.lowercased() == "https" ? "; Secure" : "")
    }

    public func authenticate(_ request: Request) throws -> Tenant {
        if let authorization = request.header("authorization") {
            guard authorization.lowercased().hasPrefix("bearer ") else { throw APIError.unauthorized }
            let secret = authorization.dropFirst(7).trimmingSpaces
            let load = { try database.system({ try APIKeyStore.user($0, secret: secret) }) }
            guard let user = try (cache.isActive ? cache.user(keyHash: Digest.sha256Hex(secret), load: load) : load()) else {
                throw APIError(status: .unauthorized, code: "invalid_api_key", message: "the API key is unknown or revoked")
            }
            return Tenant(authenticated: user)
        }
        if let token = request.cookie(Self.sessionCookie), !token.isEmpty {
            guard let user = try database.system({ try SessionStore.user($0, token: token, idleSeconds: sessionIdleSeconds) }) else {
                throw APIError(status: .unauthorized, code: "session_expired", message: "the session has ended; sign in again")
            }
            if ![.GET, .HEAD, .OPTIONS].contains(request.method), request.header("x-requested-with") != "sweep" {
                throw APIError(status: .forbidden, code: "csrf_check_failed", message: "a cookie-authenticated request that changes data must send 'X-Requested-With: sweep'")
            }
            return Tenant(authenticated: user)
        }
        throw APIError.unauthorized
    }
}
