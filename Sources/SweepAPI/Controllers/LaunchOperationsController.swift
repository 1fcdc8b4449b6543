import Foundation
import SweepJSON
import SweepStates
import SweepStore
import Web

/// Operations on ended launches (API.md "Launch operations"): re-run from what failed or from named tasks, and
/// removal, one launch or every ended launch matching a filter (ColonyOS `remove` / `removeall`).
struct LaunchOperationsController: Controller {
    /// A bulk delete stops starting batches after this long and answers `"more": true`; the client calls again.
    /// Keeps one request from holding a worker thread for minutes on a user with 100,000 launches.
    static let bulkDeleteBudget: Duration = .seconds(10)

    let database: Database

    func register(_ routes: inout Routes) {
        routes.tenant(.POST, "/api/v1/launches/{launch_id}/rerun", rerun)
        routes.tenant(.DELETE, "/api/v1/launches/{launch_id}", delete)
        routes.tenant(.DELETE, "/api/v1/launches", deleteMany)
    }

    static let rerunUsage = #"send {"from": "failed"} or {"tasks": ["<task id>", ...]}"#

    /// The body's scope: exactly one of `from: "failed"` and a non-empty `tasks` list of task ids.
    static func scope(_ request: Request) throws(APIError) -> LaunchRerun.Scope {
        guard !request.body.isEmpty else { throw APIError.badRequest("missing_body", "a re-run needs a body: \(rerunUsage)") }
        let body = try request.jsonObject()
        switch (body["from"], body["tasks"]) {
        case (nil, nil):
            throw APIError.invalid("missing_field", "nothing to re-run was named: \(rerunUsage)", field: "")
        case (.some, .some):
            throw APIError.invalid("invalid_value", "give either from or tasks, not both", field: "/tasks")
        case (let from?, nil):
            guard from.stringValue == "failed" else {
                throw APIError.invalid("invalid_value", #"from must be "failed""#, field: "/from")
            }
            return .failed
        case (nil, let tasks?):
            guard let items = tasks.arrayValue, !items.isEmpty else {
                throw APIError.invalid("invalid_value", "tasks must be a non-empty list of task ids", field: "/tasks")
            }
            guard items.count <= 10_000 else { throw APIError.invalid("invalid_value", "tasks names more than 10000 tasks", field: "/tasks") }
            var ids: [String] = []
            for (index, item) in items.enumerated() {
                // Task ids are strings, but SWEEP writes `2` as well as `"2"` (as workflow definitions may).
                if let text = item.stringValue, !text.isEmpty { ids.append(text) }
                else if let number = item.intValue { ids.append(String(number)) }
                else { throw APIError.invalid("invalid_value", "a task id must be a non-empty string", field: "/tasks/\(index)") }
            }
            return .tasks(ids)
        }
    }

    @Sendable func rerun(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let launchID = try request.parameter("launch_id")
        let scope = try Self.scope(request)
        let outcome = try database.tenant(tenant.userID) { try LaunchRerun($0).rerun(launchID: launchID, scope) }
        switch outcome {
        case .notFound: throw APIError.notFound("launch")
        case .notEnded(let state):
            throw APIError.conflict("launch_not_ended", "only an ended launch can be re-run; this one is \(state)")
        case .nothingToRerun:
            throw APIError.conflict("nothing_to_rerun", scope == .failed
                ? "nothing in this launch failed, was upstream_failed or cancelled"
                : "the named tasks have no runs in this launch (a scatter before them never expanded); re-run from failed instead")
        case .unknownTask(let index, let id):
            throw APIError.invalid("unknown_task", "task \(id) is not a task of this launch's workflow", field: "/tasks/\(index)")
        case .rerun(let runs, let replanned):
            guard let summary = try database.tenant(tenant.userID, { try LaunchStore($0).summary(id: launchID) }) else { throw APIError.notFound("launch") }
            var response = Response.json([
                "launch_id": .string(summary.id), "workflow_id": .string(summary.workflowID),
                "version": .int(Int64(summary.version)), "state": .string(summary.state),
                "rerun": .object(["runs": .int(Int64(runs)), "replanned": .int(Int64(replanned))]),
            ], status: .accepted)
            response.setHeader("Location", "/api/v1/launches/\(summary.id)")
            return response
        }
    }

    @Sendable func delete(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let launchID = try request.parameter("launch_id")
        switch try database.tenant(tenant.userID, { try LaunchRemoval($0).delete(launchID: launchID) }) {
        case .deleted: return .noContent()
        case .notFound: throw APIError.notFound("launch")
        case .notEnded(let state):
            throw APIError.conflict("launch_not_ended", "a launch is deleted only once it ended; this one is \(state) (cancel it first)")
        }
    }

    /// `DELETE /api/v1/launches?state=&workflow_id=`: every ended launch matching, a batch per transaction.
    @Sendable func deleteMany(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        // A filter given empty is refused, not read as "any": `state=` must never widen a delete to everything.
        var state: LaunchState? = nil
        if let text = request.query["state"] {
            guard let parsed = LaunchState(rawValue: text) else {
                throw APIError.badRequest("invalid_parameter", "state must be one of \(LaunchState.allCases.map(\.rawValue).sorted().joined(separator: ", "))", field: "state")
            }
            state = parsed
        }
        let workflowID = request.query["workflow_id"]
        if workflowID?.isEmpty == true { throw APIError.badRequest("invalid_parameter", "workflow_id must not be empty", field: "workflow_id") }
        // Waiting and running launches are never deleted: asking for them deletes nothing.
        if let state, !state.isTerminal { return .json(["deleted": .int(0), "more": .bool(false)]) }
        let deadline = ContinuousClock.now + Self.bulkDeleteBudget
        let batchSize = LaunchRemoval.defaultBatchSize
        var deleted = 0
        var more = true
        while more {
            let n = try database.tenant(tenant.userID) { try LaunchRemoval($0).deleteBatch(state: state, workflowID: workflowID, batchSize: batchSize) }
            deleted += n
            if n < batchSize { more = false } else if ContinuousClock.now >= deadline { break }
        }
        return .json(["deleted": .int(Int64(deleted)), "more": .bool(more)])
    }
}
