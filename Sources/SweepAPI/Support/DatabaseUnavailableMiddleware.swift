import Postgres
import Web

/// While PostgreSQL restarts or cannot be reached, requests get a 503 with `Retry-After` instead of a 500: the
/// worker itself stays up and its pool reconnects on the next request that finds the database answering again.
struct DatabaseUnavailableMiddleware: Middleware {
    static let retryAfterSeconds = 1

    func respond(to request: Request, context: RequestContext, next: any Responder) throws -> Response {
        do {
            return try next.respond(to: request, context: context)
        } catch let error as PostgresError where error.isConnectionFailure || error.code == .poolTimeout || Self.isShutdown(error) {
            context.logger.warning("database unavailable", metadata: ["error": "\(error)"])
            throw APIError(
                status: .serviceUnavailable, code: "database_unavailable",
                message: "the database cannot be reached right now; retry shortly",
                extraHeaders: [("Retry-After", String(Self.retryAfterSeconds))])
        }
    }

    /// Server errors that mean "this session is ending or the server is starting": admin shutdown, crash
    /// shutdown, cannot connect now (class 57P).
    static func isShutdown(_ error: PostgresError) -> Bool {
        guard let state = error.sqlState else { return false }
        return state.hasPrefix("57P")
    }
}
