/// Turns errors into responses: an `HTTPResponseError` becomes its JSON error; anything else is logged with the
/// request id and answered with a 500 that reveals nothing.
public struct ErrorMiddleware: Middleware {
    public init() {}

    public func respond(to request: Request, context: RequestContext, next: any Responder) throws -> Response {
        do {
            return try next.respond(to: request, context: context)
        } catch let error as any HTTPResponseError {
            return error.response
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: type(of: error)))", "detail": "\(error)"])
            return APIError(status: .internalServerError, code: "internal_error", message: "internal error; quote request id \(context.requestID)").response
        }
    }
}
