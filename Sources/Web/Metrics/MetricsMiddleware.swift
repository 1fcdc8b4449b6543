/// Counts every answer by status, outside the error middleware so that errors are counted by the status they got.
public struct MetricsMiddleware: Middleware {
    let statuses: HTTPStatusCounts

    public init(statuses: HTTPStatusCounts) {
        self.statuses = statuses
    }

    public func respond(to request: Request, context: RequestContext, next: any Responder) throws -> Response {
        do {
            let response = try next.respond(to: request, context: context)
            statuses.record(response.status.code)
            return response
        } catch {
            statuses.record(500)
            throw error
        }
    }
}
