import Foundation
import Postgres
import SweepJSON
import SweepStore
import SweepStates
import Web

/// Launching workflows and following launches: status, lists by state, cancel, events (JSON pages), logs.
struct LaunchController: Controller {
    static let maxWaitSeconds: Int64 = 60

    let database: Database

    func register(_ routes: inout Routes) {
        routes.tenant(.POST, "/api/v1/workflows/{id}/launches", launch)
        routes.tenant(.GET, "/api/v1/launches", list)
        routes.tenant(.GET, "/api/v1/launches/{launch_id}", status)
        routes.tenant(.POST, "/api/v1/launches/{launch_id}/cancel", cancel)
        routes.tenant(.GET, "/api/v1/launches/{launch_id}/tasks/{run_id}/logs", logs)
    }

    @Sendable func launch(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let workflowID = try request.parameter("id")
        let body = JSONFields(request.body.isEmpty ? [:] : try request.jsonObject())
        let input = body.object["input"].flatMap { $0.isNull ? nil : $0 }
        let wait = try body.optionalInt("wait", in: 0...Self.maxWaitSeconds) ?? 0
        let key = try body.optionalString("idempotency_key")
        if let key, !(1...200).contains(key.count) {
            throw APIError.badRequest("invalid_value", "idempotency_key must be 1 to 200 characters", field: "/idempotency_key")
        }
        let result = try database.tenant(tenant.userID) { try LaunchStore($0).create(workflowID: workflowID, input: input, idempotencyKey: key) }
        let launchID: String
        switch result {
        case .workflowNotFound: throw APIError.notFound("workflow")
        case .created(let id), .existing(let id): launchID = id
        }
        if wait > 0, let ended = try waitForEnd(launchID, tenant: tenant, seconds: wait) {
            return .json(ended)
        }
        guard let summary = try database.tenant(tenant.userID, { try LaunchStore($0).summary(id: launchID) }) else { throw APIError.notFound("launch") }
        return .json([
            "launch_id": .string(summary.id), "workflow_id": .string(summary.workflowID),
            "version": .int(Int64(summary.version)), "state": .string(summary.state),
        ], status: .accepted)
    }

    /// Waits (on NOTIFY, not by polling) until the launch ends or the time is up; its full status if it ended.
    private func waitForEnd(_ launchID: String, tenant: Tenant, seconds: Int64) throws -> JSONValue? {
        let listener = try PostgresListener(url: database.pool.configuration.url)
        try listener.listen(SchedulerChannels.launchDone)
        let deadline = ContinuousClock.now + .seconds(seconds)
        while true {
            if let status = try fullStatus(launchID, tenant: tenant), status["state"].flatMap(\.stringValue).map(LaunchState.isTerminal) == true {
                return status
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return nil }
            _ = try listener.wait(timeout: remaining)
        }
    }

    private func fullStatus(_ launchID: String, tenant: Tenant) throws -> JSONValue? {
        try database.tenant(tenant.userID) { tx in
            let store = LaunchStore(tx)
            guard let summary = try store.summary(id: launchID) else { return nil }
            return LaunchRendering.status(summary, runs: try store.runs(launchID: launchID))
        }
    }

    @Sendable func list(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let page = try Page(request)
        let state = request.query["state"]
        if let state, LaunchState(rawValue: state) == nil {
            throw APIError.badRequest("invalid_parameter", "state must be one of \(LaunchState.allCases.map(\.rawValue).sorted().joined(separator: ", "))", field: "state")
        }
        let launches = try database.tenant(tenant.userID) {
            try LaunchStore($0).list(state: state, workflowID: request.query["workflow_id"], after: page.after, limit: page.limit + 1)
        }
        return page.response(launches, key: \.cursor, render: LaunchRendering.summary)
    }

    @Sendable func status(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        guard let status = try fullStatus(try request.parameter("launch_id"), tenant: tenant) else { throw APIError.notFound("launch") }
        return .json(status)
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

    @Sendable func logs(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let launchID = try request.parameter("launch_id")
        let runID = try request.parameter("run_id")
        guard let logs = try database.tenant(tenant.userID, { try LaunchStore($0).logs(launchID: launchID, runName: runID) }) else {
            throw APIError.notFound("task run")
        }
        return .text(logs ?? "")
    }
}
