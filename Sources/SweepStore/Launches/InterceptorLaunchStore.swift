import Postgres
import SweepJSON
import SweepModel
import SweepStates

/// The launches that run backend workflows' interceptors (`InterceptorLaunch`, migration 0021): made by the
/// launch-creation code every launch takes, read back as a verdict, removed once the call went on.
public struct InterceptorLaunchStore {
    public enum Started: Sendable, Equatable {
        case started(launchID: String)
        /// No alternative of the interceptor can run here (a deleted definition, an AWS destination): nothing was made.
        case unavailable(String)
    }

    /// The interceptor's run as it stands: nil verdict while it waits or runs.
    public struct Outcome: Sendable {
        public let launchState: String
        public let verdict: InterceptorVerdict?
    }

    let tx: TenantTransaction

    public init(_ tx: TenantTransaction) {
        self.tx = tx
    }

    /// Launches `interceptor` of workflow `workflowID` (version `version`) with the call's request as input, within
    /// the user's limits (`LimitExceeded` like any launch).
    public func start(workflowID: String, version: Int, interceptor: ExecutionConfiguration, timeoutSeconds: Int, request: JSONValue,
                      limits: LimitDefaults?) throws -> Started {
        let definition = InterceptorLaunch.definition(workflowID: workflowID, interceptor: interceptor, timeoutSeconds: timeoutSeconds, request: request)
        let executors = try ExecutorResolver(tx).resolve(try Workflow(json: definition))
        let alternatives = executors[InterceptorLaunch.taskID]?.arrayValue ?? []
        if let reason = Self.unavailableReason(alternatives) { return .unavailable(reason) }
        switch try LaunchStore(tx).insert(workflowID: workflowID, version: version, definition: definition, input: request,
                                          idempotencyKey: nil, limits: limits, isInterceptor: true, executors: executors) {
        case .created(let id), .existing(let id): return .started(launchID: id)
        case .workflowNotFound, .versionNotFound: return .unavailable("the interceptor could not be launched")
        }
    }

    /// The reason when every alternative is `unavailable` (ExecutorResolver's shapes).
    static func unavailableReason(_ alternatives: [JSONValue]) -> String? {
        let reasons = alternatives.map { $0["kind"]?.stringValue == "unavailable" ? $0["reason"]?.stringValue ?? "unavailable" : nil }
        guard !reasons.isEmpty, reasons.allSatisfy({ $0 != nil }) else { return nil }
        return reasons.compactMap { $0 }.joined(separator: "; ")
    }

    public func outcome(launchID: String) throws -> Outcome? {
        guard UUIDText.isValid(launchID), let row = try tx.connection.query("""
            SELECT l.state, r.state AS run_state, r.output, r.error FROM launches l
            LEFT JOIN task_runs r ON r.user_id = l.user_id AND r.launch_id = l.id AND r.name = \(InterceptorLaunch.taskID)
            WHERE l.user_id = \(tx.userID) AND l.id = \(launchID)::uuid AND l.is_interceptor
            """).first else { return nil }
        let state = try row.decode(String.self, column: "state")
        guard LaunchState.isTerminal(state) else { return Outcome(launchState: state, verdict: nil) }
        let runState = try row.decode(String?.self, column: "run_state")
        let error = try row.decode(String?.self, column: "error")
        if state == LaunchState.cancelled.rawValue {
            return Outcome(launchState: state, verdict: .failed("the interceptor's launch \(launchID) was cancelled before it answered"))
        }
        return Outcome(launchState: state, verdict: InterceptorVerdict.of(
            succeeded: runState == RunState.succeeded.rawValue, output: try row.decode(JSONValue?.self, column: "output"), error: error))
    }

    /// Deletes the ended interceptor launch `launchID` with its run and events (the call made the workflow's own).
    public func remove(launchID: String) throws {
        _ = try tx.connection.query(LaunchSQL.deleteEnded.query(["user": tx.userID.rawValue.postgresBind, "launch": launchID.postgresBind]))
    }
}
