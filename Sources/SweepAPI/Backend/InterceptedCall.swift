import SweepJSON
import SweepModel
import SweepStates
import SweepStore
import Web

/// A `/call` whose workflow has an interceptor, parked while the interceptor runs (DESIGN §3): the interceptor is a
/// launch of its own (`InterceptorLaunch`), claimed and executed like any task (HTTP, bubblewrap, podman, or an
/// executor of its type), and the call waits for its end on `launchDone` holding no thread. Its answer, merged
/// into the request and checked against the schema again, becomes the workflow's launch input in the transaction
/// that also deletes the interceptor's launch; the call then waits for that launch (`ParkedRequests.continued`),
/// or answers 202 at once with `?background=true`. A rejection is 422 `rejected_by_interceptor`, its launch kept
/// (hidden from listings) and named in `X-Sweep-Interceptor-Launch-Id` for its logs.
struct InterceptedCall: Sendable {
    let database: Database
    let limits: LimitDefaults
    let parking: ParkedRequests
    let userID: UserID
    let workflowID: String
    let schema: RequestSchema
    let request: JSONValue
    let key: String?
    let background: Bool
    let declared: [String]
    /// When the launch's own wait hands over with 202 (the call's start + `call_timeout`).
    let callDeadline: ContinuousClock.Instant
    let timeoutSeconds: Int

    /// Launches the interceptor and parks the call until it ends, at most `timeoutSeconds`.
    func park(workflow: Workflow, version: Int, interceptor: ExecutionConfiguration) throws -> Response {
        try parking.park {
            let started: InterceptorLaunchStore.Started
            do {
                started = try database.tenant(userID) { tx in
                    let effective = try UserLimitStore.find(tx.connection, userID: tx.userID).effective(limits)
                    return try InterceptorLaunchStore(tx).start(workflowID: workflowID, version: version, interceptor: interceptor,
                                                                timeoutSeconds: timeoutSeconds, request: request, limits: effective)
                }
            } catch let error as LimitExceeded {
                throw error.apiError
            } catch let error as ValidationError {
                throw error.apiError
            }
            guard case .started(let launchID) = started else {
                if case .unavailable(let reason) = started { throw APIError.invalid("interceptor_unavailable", reason, field: "/interceptor") }
                throw APIError.notFound("interceptor")
            }
            return ParkedRequest(
                channel: SchedulerChannels.launchDone, key: launchID, deadline: .now + .seconds(timeoutSeconds),
                check: { try self.check(launchID) }, timedOut: { try self.timedOut(launchID) })
        }
    }

    /// nil while the interceptor runs; then the call's next step (a wait for the launch, 202) or its error.
    func check(_ interceptorLaunchID: String) throws -> Response? {
        guard let outcome = try database.tenant(userID, { try InterceptorLaunchStore($0).outcome(launchID: interceptorLaunchID) }) else {
            return Self.refusal(APIError(status: .badGateway, code: "interceptor_failed", message: "the interceptor's launch \(interceptorLaunchID) is gone"), interceptorLaunchID)
        }
        guard let verdict = outcome.verdict else { return nil }
        switch verdict {
        case .accepted(let answer):
            return try proceed(with: answer, interceptorLaunchID)
        case .rejected(let message):
            return Self.refusal(APIError.invalid("rejected_by_interceptor", message, field: nil), interceptorLaunchID)
        case .timedOut(let message):
            return Self.refusal(APIError(status: .gatewayTimeout, code: "interceptor_timeout", message: message), interceptorLaunchID)
        case .failed(let message):
            return Self.refusal(APIError(status: .badGateway, code: "interceptor_failed", message: message), interceptorLaunchID)
        }
    }

    /// The interceptor did not end within its bound: its launch is cancelled (its process or container stopped,
    /// an executor's late result fenced out), the caller told.
    func timedOut(_ interceptorLaunchID: String) throws -> Response {
        _ = try database.tenant(userID) { try LaunchStore($0).cancel(id: interceptorLaunchID) }
        return Self.refusal(APIError(status: .gatewayTimeout, code: "interceptor_timeout",
                                     message: "the interceptor did not answer within \(timeoutSeconds) s (config.interceptor_timeout)"), interceptorLaunchID)
    }

    /// The workflow's launch with the request as the interceptor left it; the interceptor's launch goes in the same
    /// transaction (a call that went on leaves one launch, its own).
    func proceed(with answer: JSONValue, _ interceptorLaunchID: String) throws -> Response {
        let input: JSONValue
        do {
            input = try schema.recheck(InterceptorLaunch.merged(request: request, answer: answer))
            try LaunchController.checkInput(input)
        } catch let error as ValidationError {
            return Self.refusal(APIError.invalid("invalid_request", "after the interceptor: " + error.message, field: error.field), interceptorLaunchID)
        } catch let error as APIError {
            return Self.refusal(error, interceptorLaunchID)
        }
        let launchID: String
        do {
            launchID = try CallController.launch(database, limits, userID, workflowID, input: input, key: key) { tx in
                try InterceptorLaunchStore(tx).remove(launchID: interceptorLaunchID)
            }.0
        } catch let error as APIError {
            return Self.refusal(error, interceptorLaunchID)
        }
        if background { return try CallController.handedOver(database, launchID, userID) }
        let (database, userID, declared) = (self.database, self.userID, self.declared)
        return parking.continued(ParkedRequest(
            channel: SchedulerChannels.launchDone, key: launchID, deadline: callDeadline,
            check: { try CallController.answer(database, launchID, userID, declared) },
            timedOut: { try CallController.handedOver(database, launchID, userID) }))
    }

    static func refusal(_ error: APIError, _ interceptorLaunchID: String) -> Response {
        var response = error.response
        response.setHeader("X-Sweep-Interceptor-Launch-Id", interceptorLaunchID)
        return response
    }
}
