import Foundation
import Postgres
import SweepJSON
import SweepModel
import SweepStore
import SweepStates
import Web

/// Launching workflows and following launches: status, lists by state, cancel, events (JSON pages), logs.
struct LaunchController: Controller {
    static let maxWaitSeconds: Int64 = 60

    let database: Database
    var limits = LimitDefaults()
    /// Where `wait` parks; nil (tests of the responder alone) answers at once as `wait: 0` would.
    var parking: ParkedRequests? = nil

    func register(_ routes: inout Routes) {
        routes.tenant(.POST, "/api/v1/workflows/{id}/launches", launch)
        routes.tenant(.GET, "/api/v1/launches", list)
        routes.tenant(.GET, "/api/v1/launches/{launch_id}", status)
        routes.tenant(.GET, "/api/v1/launches/{launch_id}/runs", LaunchRunsController(database: database).runs)
        routes.tenant(.POST, "/api/v1/launches/{launch_id}/cancel", cancel)
        // …/tasks/{run_id}/logs: RunFileController (streams apart, follow).
    }

    @Sendable func launch(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let workflowID = try request.parameter("id")
        let body = JSONFields(request.body.isEmpty ? [:] : try request.jsonObject())
        let input = body.object["input"].flatMap { $0.isNull ? nil : $0 }
        let wait = try body.optionalInt("wait", in: 0...Self.maxWaitSeconds) ?? 0
        let key = try body.optionalString("idempotency_key")
        // API.md v1.1: launch an older version; without it, the latest.
        let version = try body.optionalInt("version", in: 1...Int64(Int32.max)).map(Int.init)
        if let key, !(1...200).contains(key.count) {
            throw APIError.badRequest("invalid_value", "idempotency_key must be 1 to 200 characters", field: "/idempotency_key")
        }
        if let input { try Self.checkInput(input) }
        let userID = tenant.userID
        let database = self.database
        let limits = self.limits
        let create: () throws -> String = {
            let result: LaunchStore.CreateResult
            do {
                result = try database.tenant(userID) { tx in
                    let effective = try UserLimitStore.find(tx.connection, userID: tx.userID).effective(limits)
                    return try LaunchStore(tx).create(workflowID: workflowID, version: version, input: input, idempotencyKey: key, limits: effective)
                }
            } catch let error as ValidationError {
                throw error.apiError
            } catch let error as LimitExceeded {
                throw error.apiError
            }
            switch result {
            case .workflowNotFound: throw APIError.notFound("workflow")
            case .versionNotFound(let latest):
                throw APIError.invalid("unknown_version", "workflow \(workflowID) has no version \(version ?? 0) (its latest is \(latest))", field: "/version")
            case .created(let id), .existing(let id): return id
            }
        }
        guard wait > 0, let parking else { return try Self.accepted(database, try create(), userID) }
        // Parked, not slept on: the request thread goes back to serve others (DESIGN §3). The waiter's place is
        // taken before the launch is made, so a 429 changes nothing.
        return try parking.park {
            let launchID = try create()
            return ParkedRequest(
                channel: SchedulerChannels.launchDone, key: launchID, deadline: .now + .seconds(wait),
                check: { try Self.endedStatus(database, launchID, userID) },
                timedOut: { try Self.accepted(database, launchID, userID) })
        }
    }

    /// 202 with the launch's summary and where to follow it.
    static func accepted(_ database: Database, _ launchID: String, _ userID: UserID) throws -> Response {
        guard let summary = try database.tenant(userID, { try LaunchStore($0).summary(id: launchID) }) else { throw APIError.notFound("launch") }
        var response = Response.json([
            "launch_id": .string(summary.id), "workflow_id": .string(summary.workflowID),
            "version": .int(Int64(summary.version)), "state": .string(summary.state),
        ], status: .accepted)
        response.setHeader("Location", "/api/v1/launches/\(summary.id)")
        return response
    }

    /// A launch input is copied into every run's input: over `ModelLimits.maxLaunchInputBytes` it is a 413, and nested
    /// deeper than an output may be (`OutputAdmission`) it is a 422, since runs' inputs wrap it further.
    static func checkInput(_ input: JSONValue) throws(APIError) {
        if input.serializedSize(upTo: ModelLimits.maxLaunchInputBytes) > ModelLimits.maxLaunchInputBytes {
            throw APIError(status: .payloadTooLarge, code: "input_too_large",
                           message: "the launch input is more than \(ModelLimits.maxLaunchInputBytes) bytes as JSON", field: "/input")
        }
        let depth = input.nestingDepth
        if depth > OutputAdmission.defaultMaxDepth {
            throw APIError.invalid("input_too_deep", "the launch input nests \(depth) levels deep, more than the limit of \(OutputAdmission.defaultMaxDepth)",
                                   field: "/input")
        }
    }

    /// The launch's full status once it ended; nil while it runs.
    static func endedStatus(_ database: Database, _ launchID: String, _ userID: UserID) throws -> Response? {
        guard let status = try fullStatus(database, launchID, userID), LaunchState.isTerminal(status.state) else { return nil }
        return Self.jsonBody(status.body)
    }

    /// From how many runs a status counts them on a second connection beside the first page: below, the second
    /// transaction's round trips cost more than the count they overlap.
    static let countsBesideFromRuns = 2_000

    /// Large launch inputs and outputs as JSON text, kept across status reads (`LaunchJSONCache`).
    static let statusTexts = LaunchJSONCache()

    /// The launch's state and its status document (JSON bytes spliced from texts PostgreSQL wrote: `LaunchStatusQuery`).
    static func fullStatus(_ database: Database, _ launchID: String, _ userID: UserID) throws -> (state: String, body: [UInt8])? {
        try database.tenant(userID) { tx in
            let query = LaunchStatusQuery(tx)
            guard let head = try query.head(launchID: launchID, cache: statusTexts) else { return nil }
            let lastEventID = try query.lastEventID(launchID: launchID)
            // task_counts reads an index entry of every run (3-4 ms for 10,000): for a large launch, on a second
            // connection if the pool has one free now, while this one reads the first page (both after lastEventID).
            let counts = head.summary.totalRuns >= Self.countsBesideFromRuns
                ? BackgroundRead { try database.tenantIfFree(userID) { try LaunchStatusQuery($0).taskCounts(launchID: launchID) } } : nil
            let tasks = try query.firstRuns(launchID: launchID, head: head)
            // Backend workflows: what the launch's tasks shared (`ti.push`).
            let shared = try LaunchSharedDataStore(tx).all(launchID: launchID)
            // Counted here when no connection was free (or the other one failed: its error is this one's to meet).
            let taskCounts = try (try? counts?.value()) ?? query.taskCounts(launchID: launchID)
            return (head.summary.state, LaunchRendering.statusBody(head, tasks: tasks, taskCounts: taskCounts,
                                                                   shared: shared, lastEventID: lastEventID))
        }
    }

    static func jsonBody(_ body: [UInt8]) -> Response {
        Response(status: .ok, headers: [("Content-Type", "application/json")], body: body)
    }

    @Sendable func list(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let page = try Page(request)
        let state = request.filter("state")
        if let state, LaunchState(rawValue: state) == nil {
            throw APIError.badRequest("invalid_parameter", "state must be one of \(LaunchState.allCases.map(\.rawValue).sorted().joined(separator: ", "))", field: "state")
        }
        let parent = request.filter("parent_launch_id")
        if let parent, !UUIDText.isValid(parent) {
            throw APIError.badRequest("invalid_parameter", "parent_launch_id must be a launch id", field: "parent_launch_id")
        }
        let launches = try database.tenant(tenant.userID) {
            try LaunchStore($0).list(state: state, workflowID: request.filter("workflow_id"), parentLaunchID: parent, after: page.after, limit: page.limit + 1)
        }
        return page.response(launches, key: \.cursor, render: LaunchRendering.summary)
    }

    @Sendable func status(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        guard let status = try Self.fullStatus(database, try request.parameter("launch_id"), tenant.userID) else { throw APIError.notFound("launch") }
        return Self.jsonBody(status.body)
    }

    @Sendable func cancel(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let launchID = try request.parameter("launch_id")
        guard let cancelled = try database.tenant(tenant.userID, { try LaunchStore($0).cancel(id: launchID) }) else {
            throw APIError.notFound("launch")
        }
        guard let summary = try database.tenant(tenant.userID, { try LaunchStore($0).summary(id: launchID) }) else { throw APIError.notFound("launch") }
        guard cancelled else {
            throw APIError.conflict("launch_finished", "the launch already ended (\(summary.state))")
        }
        return .json([
            "launch_id": .string(summary.id), "workflow_id": .string(summary.workflowID),
            "version": .int(Int64(summary.version)), "state": .string(summary.state),
        ], status: .accepted)
    }
}
