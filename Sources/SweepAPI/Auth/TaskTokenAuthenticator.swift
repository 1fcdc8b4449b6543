import SweepStore
import Web

/// Authenticates a run-API request by the run's own task token (`Authorization: Bearer tt_…`). Every route of
/// `/api/v1/run/…` starts here; a token whose run is no longer running is refused like an unknown one.
struct TaskTokenAuthenticator: Sendable {
    let database: Database

    /// The token's text from the request, or 401 `invalid_task_token`.
    static func token(of request: Request) throws -> String {
        guard let authorization = request.header("authorization"), authorization.lowercased().hasPrefix("bearer tt_") else {
            throw APIError(status: .unauthorized, code: "invalid_task_token", message: "send the run's token as 'Authorization: Bearer tt_…'")
        }
        return String(authorization.dropFirst(7))
    }

    /// The running run holding the request's token, or 401 `invalid_task_token`.
    func holder(of request: Request) throws -> TaskTokenHolder {
        let token = try Self.token(of: request)
        guard let holder = try database.system({ try TaskTokenStore.holder($0, token: token) }) else {
            throw APIError(status: .unauthorized, code: "invalid_task_token", message: "the token is unknown or its run is no longer running")
        }
        return holder
    }
}
