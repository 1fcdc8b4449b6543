import SweepJSON
import SweepStore
import Web

/// `POST /api/v1/progress`: a running task reports `{"percent"?, "message"}` with its own token
/// (`Authorization: Bearer tt_…`), which becomes a `task.progress` event. The token allows this and nothing else.
struct ProgressController: Controller {
    let database: Database
    /// Rate limits per run; the latest message wins.
    let coalescer: ProgressCoalescer

    func register(_ routes: inout Routes) {
        routes.open(.POST, "/api/v1/progress", report)
    }

    @Sendable func report(_ request: Request, _ context: RequestContext) throws -> Response {
        let token = try TaskTokenAuthenticator.token(of: request)
        let body = JSONFields(try request.jsonObject())
        let message = try body.requiredString("message")
        guard message.count <= 2000 else { throw APIError.badRequest("invalid_value", "message must be at most 2000 characters", field: "/message") }
        var percent: Double? = nil
        if let value = body.object["percent"], !value.isNull {
            guard let number = value.doubleValue, (0...100).contains(number) else {
                throw APIError.badRequest("invalid_value", "percent must be a number from 0 to 100", field: "/percent")
            }
            percent = number
        }
        guard try coalescer.report(token: token, .init(percent: percent, message: message)) else {
            throw APIError(status: .unauthorized, code: "invalid_task_token", message: "the token is unknown or its run is no longer running")
        }
        return .json([:], status: .accepted)
    }
}
