import Foundation
import SweepJSON
import SweepModel
import SweepStore
import Web

/// `POST /api/v1/launches/{id}/signals/{task_id}` (API.md v1.1): the payload becomes the output of the launch's
/// `signal` task, now if its run waits, else when it is reached (`SignalStore`).
struct SignalController: Controller {
    /// A payload is a run's output, copied into successors' inputs: bounded well under the output limit.
    static let maxPayloadBytes = 64 * 1024

    let database: Database

    func register(_ routes: inout Routes) {
        routes.tenant(.POST, "/api/v1/launches/{launch_id}/signals/{task_id}", signal)
    }

    @Sendable func signal(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let launchID = try request.parameter("launch_id")
        let taskID = try request.parameter("task_id")
        let body = request.body.isEmpty ? [:] : try request.jsonObject()
        let payload = body["payload"] ?? .null
        if payload.serializedSize(upTo: Self.maxPayloadBytes) > Self.maxPayloadBytes {
            throw APIError(status: .payloadTooLarge, code: "payload_too_large",
                           message: "the signal payload is more than \(Self.maxPayloadBytes) bytes as JSON", field: "/payload")
        }
        let depth = payload.nestingDepth
        if depth > OutputAdmission.defaultMaxDepth {
            throw APIError.invalid("payload_too_deep", "the payload nests \(depth) levels deep, more than the limit of \(OutputAdmission.defaultMaxDepth)",
                                   field: "/payload")
        }
        if let pointer = payload.pointerToNUL {
            throw APIError.invalid("invalid_value", "the payload holds the NUL character (\\u0000) at \(pointer), which cannot be stored", field: "/payload")
        }
        let result = try database.tenant(tenant.userID) { try SignalStore($0).send(launchID: launchID, taskID: taskID, payload: payload) }
        switch result {
        case .launchNotFound: throw APIError.notFound("launch")
        case .taskNotFound: throw APIError.notFound("task \(taskID) in this launch's workflow")
        case .notASignalTask:
            throw APIError.invalid("not_a_signal_task", "task \(taskID) is not a signal task (\"type\": \"signal\")", field: nil)
        case .alreadySignalled: throw APIError.conflict("already_signalled", "task \(taskID) already has its signal")
        case .ended(let why): throw APIError.conflict("task_ended", why)
        case .accepted(let state):
            return .json(["launch_id": .string(launchID), "task_id": .string(taskID), "state": .string(state)], status: .accepted)
        }
    }
}
