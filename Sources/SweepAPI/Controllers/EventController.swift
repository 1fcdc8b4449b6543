import SweepJSON
import SweepStore
import Web

/// Progress events. This answers JSON pages (`?after=ID&limit=N`); `Accept: text/event-stream` gets the live SSE
/// stream (see EventStreamHub).
struct EventController: Controller {
    let database: Database
    let streams: EventStreams?
    var limits = LimitDefaults()
    var admission = StreamAdmission()

    func register(_ routes: inout Routes) {
        routes.tenant(.GET, "/api/v1/launches/{launch_id}/events") { request, tenant, context in
            let launchID = try request.parameter("launch_id")
            guard try database.tenant(tenant.userID, { try LaunchStore($0).summary(id: launchID) }) != nil else {
                throw APIError.notFound("launch")
            }
            return try answer(request, tenant, launchID: launchID)
        }
        routes.tenant(.GET, "/api/v1/events") { request, tenant, context in
            try answer(request, tenant, launchID: nil)
        }
    }

    private func answer(_ request: Request, _ tenant: Tenant, launchID: String?) throws -> Response {
        let page = try Page(request)
        let after = try EventController.afterID(request, page: page)
        if let streams, request.header("accept")?.contains("text/event-stream") == true {
            // Admission against the user's max_streams: the ticket travels with the stream and frees its place when
            // the stream ends.
            let maxStreams = try database.tenant(tenant.userID) { try UserLimitStore.find($0.connection, userID: $0.userID) }.effective(limits).maxStreams
            guard let ticket = admission.admit(tenant.userID, limit: maxStreams) else {
                throw LimitExceeded(.maxStreams, limit: Int64(maxStreams),
                    "you have \(maxStreams) event streams open on this server, the most allowed (max_streams)").apiError
            }
            var response = streams.open(userID: tenant.userID, launchID: launchID, after: after)
            if let stream = response.stream { response.stream = StreamAdmission.AdmittedStream(inner: stream, ticket: ticket) }
            return response
        }
        let events = try database.tenant(tenant.userID) { try EventStore($0).events(launchID: launchID, after: after, limit: page.limit + 1) }
        return page.response(events, key: { String($0.id) }, render: \.json)
    }

    /// `Last-Event-ID` (a reconnecting SSE client), `?after=ID`, or a page cursor; 0 means from the start.
    static func afterID(_ request: Request, page: Page) throws(APIError) -> Int64 {
        let text = request.header("last-event-id") ?? request.query["after"] ?? page.after
        guard let text, !text.isEmpty else { return 0 }
        guard let value = Int64(text), value >= 0 else {
            throw APIError.badRequest("invalid_parameter", "after must be an event id", field: "after")
        }
        return value
    }
}

/// Opens live event streams (implemented by the SSE hub of the worker).
public protocol EventStreams: Sendable {
    func open(userID: UserID, launchID: String?, after: Int64) -> Response
}
