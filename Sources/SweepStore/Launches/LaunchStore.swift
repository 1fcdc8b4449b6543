import Foundation
import Postgres
import SweepJSON
import SweepModel
import SweepStates

/// Launch creation, status, listing, cancellation and logs for the API, all within one tenant's transaction.
public struct LaunchStore {
    public enum CreateResult {
        case created(String)
        case existing(String)
        case workflowNotFound
        /// The workflow exists, but not the asked-for version.
        case versionNotFound(latest: Int)
    }

    let tx: TenantTransaction

    public init(_ tx: TenantTransaction) {
        self.tx = tx
    }

    /// Snapshots the latest workflow version (or `version`), creates the launch and its first runs in this transaction.
    /// With `limits` (the user's effective limits), throws `LimitExceeded` when the user already has
    /// `maxLaunchesInFlight` launches waiting or running, and the `ValidationError` `too_many_runs` when the
    /// workflow's static plan is over `maxReplicasPerLaunch`.
    public func create(workflowID: String, version: Int? = nil, input: JSONValue?, idempotencyKey: String?,
                       limits: LimitDefaults? = nil) throws -> CreateResult {
        if let key = idempotencyKey, let existing = try launchID(workflowID: workflowID, idempotencyKey: key) { return .existing(existing) }
        guard let stored = try WorkflowStore(tx).find(workflowID: workflowID, version: version) else {
            if version != nil, let latest = try WorkflowStore(tx).find(workflowID: workflowID) { return .versionNotFound(latest: latest.version) }
            return .workflowNotFound
        }
        return try insert(workflowID: workflowID, version: stored.version, definition: stored.definition, input: input,
                          idempotencyKey: idempotencyKey, limits: limits, isInterceptor: false)
    }

    /// Creates a launch of `definition` (a stored workflow version's, or an interceptor's: `InterceptorLaunch`).
    func insert(workflowID: String, version: Int, definition: JSONValue, input: JSONValue?, idempotencyKey: String?,
                limits: LimitDefaults?, isInterceptor: Bool, executors resolved: JSONValue? = nil) throws -> CreateResult {
        let workflow = try Workflow(json: definition)
        var planner = try Planner(workflow: workflow)
        if let limits {
            planner.budget = RunBudget(maxRuns: limits.maxReplicasPerLaunch)
            if let tooMany = planner.checkStaticRuns(planner.budget) { throw tooMany }
        }
        let executors = try resolved ?? ExecutorResolver(tx).resolve(workflow)
        let rows = try tx.connection.query("""
            INSERT INTO launches (user_id, workflow_id, version, definition, executors, input, idempotency_key, max_concurrency, max_runtime_seconds,
                                  is_interceptor)
            VALUES (\(tx.userID), \(workflowID), \(version), \(definition)::jsonb, \(executors)::jsonb, \(input)::jsonb,
                    \(idempotencyKey), \(workflow.config.maxTaskConcurrency), \(workflow.config.maxTaskRuntime), \(isInterceptor))
            \(unsafeSQL: Self.idempotencyConflict)
            RETURNING id::text AS id
            """)
        guard let row = rows.first else {
            // A concurrent request with the same key (and workflow) won the race.
            return .existing(try launchID(workflowID: workflowID, idempotencyKey: idempotencyKey ?? "") ?? "")
        }
        let id = try row.decode(String.self, column: "id")
        if planner.budget != RunBudget() {
            // Only a user with a limit of their own pays this write; schedulers read it back (LaunchPlan.load).
            _ = try tx.connection.execute("UPDATE launches SET max_runs = \(planner.budget.maxRuns)::integer WHERE id = \(id)::uuid")
        }
        guard let launch = try LaunchRecord.lock(tx.connection, id: id) else { throw LaunchStoreError("launch vanished") }
        let progression = LaunchProgression(connection: tx.connection, launch: launch, plan: LaunchPlan(planner: planner, executors: executors, input: input))
        try progression.start()
        try progression.flush()
        if let limits { try admit(limits) }
        return .created(id)
    }

    /// The user's launches in flight, this one included, against `max_launches_in_flight`; throws (rolling the
    /// whole creation back) when over. Serialised per user (`lockLaunchAdmission`) until COMMIT, so two concurrent
    /// creations cannot both see room for one. Taken last, after every other statement of the creation: the lock
    /// is then held for two statements and the commit instead of the whole creation, which made one user's
    /// concurrent launches (64 foreground `/call`s) queue behind each other's inserts (171 ms of a 1.6 s call
    /// waited here, measured with pg_stat_statements). The count is its own statement after the lock, so its
    /// snapshot sees every creation that committed while this one waited.
    private func admit(_ limits: LimitDefaults) throws {
        try UserLimitStore.lockLaunchAdmission(tx.connection, userID: tx.userID)
        let inFlight = try UserLimitStore.launchesInFlight(tx.connection, userID: tx.userID)
        // A launch that ended while it was created (nothing to run) holds no place and is not counted.
        guard inFlight <= limits.maxLaunchesInFlight else {
            throw LimitExceeded(.maxLaunchesInFlight, limit: Int64(limits.maxLaunchesInFlight),
                "you have \(inFlight - 1) launches waiting or running, the most allowed (max_launches_in_flight); retry when one ends")
        }
    }

    /// Cancels a launch of this user; nil when there is no such launch, false when it had already ended.
    public func cancel(id: String) throws -> Bool? {
        guard UUIDText.isValid(id), let launch = try LaunchRecord.lock(tx.connection, id: id), launch.userID == tx.userID else { return nil }
        guard let plan = try LaunchPlan.load(tx.connection, launchID: id) else { return nil }
        let progression = LaunchProgression(connection: tx.connection, launch: launch, plan: plan)
        guard !launch.isTerminal else { return false }
        try cancelChildren(of: id)
        guard try progression.cancel() else { return false }
        try progression.flush()
        return true
    }

    /// Cancels the open child launches of `id` (and theirs, depth first) before the parent's own runs: locks are
    /// taken parent then child, the order in which a child never waits on its parent (its end only notifies).
    private func cancelChildren(of id: String) throws {
        let children = try tx.connection.query(LaunchSQL.openChildren.query(["launch": id.postgresBind, "user": tx.userID.postgresBind]))
            .map { try $0.decode(String.self, column: "id") }
        for child in children { _ = try cancel(id: child) }
    }

    public func summary(id: String) throws -> LaunchSummary? {
        guard UUIDText.isValid(id) else { return nil }
        return try tx.connection.query("""
            SELECT \(unsafeSQL: LaunchSummary.columns) FROM launches WHERE user_id = \(tx.userID) AND id = \(id)::uuid
            """).first.map(LaunchSummary.init)
    }

    /// Newest first; `cursor` is the last item's "created_at|id".
    public func list(state: String?, workflowID: String?, parentLaunchID: String? = nil, after cursor: String?, limit: Int) throws -> [LaunchSummary] {
        var afterTime: Date? = nil
        var afterID = ""
        if let cursor, let bar = cursor.firstIndex(of: "|") {
            afterTime = Date(timeIntervalSince1970: Double(cursor[..<bar]) ?? 0)
            afterID = String(cursor[cursor.index(after: bar)...])
        }
        return try tx.connection.query("""
            SELECT \(unsafeSQL: LaunchSummary.columns) FROM launches
            WHERE user_id = \(tx.userID) AND NOT is_interceptor AND (\(state == nil) OR state = \(state ?? ""))
              AND (\(parentLaunchID == nil) OR parent_launch_id = nullif(\(parentLaunchID ?? ""), '')::uuid)
              AND (\(workflowID == nil) OR workflow_id = \(workflowID ?? ""))
              AND (\(afterTime == nil) OR (created_at, id::text) < (\(afterTime ?? Date()), \(afterID)))
            ORDER BY created_at DESC, id::text DESC LIMIT \(limit)
            """).map(LaunchSummary.init)
    }

    /// The launch's task runs (scatter gates that did their job are bookkeeping and stay hidden).
    public func runs(launchID: String) throws -> [TaskRunRecord] {
        try tx.connection.query("""
            SELECT \(unsafeSQL: TaskRunRecord.columns) FROM task_runs
            WHERE user_id = \(tx.userID) AND launch_id = \(launchID)::uuid AND (kind = \(unsafeSQL: RunKind.task.sql) OR state <> \(unsafeSQL: RunState.succeeded.sql))
            ORDER BY id
            """).map(TaskRunRecord.init)
    }

    /// Labels and descriptions of the launch's tasks that have them, by task id.
    public func logs(launchID: String, runName: String) throws -> String?? {
        guard UUIDText.isValid(launchID) else { return nil }
        return try tx.connection.query("""
            SELECT logs FROM task_runs WHERE user_id = \(tx.userID) AND launch_id = \(launchID)::uuid AND name = \(runName) AND kind = \(unsafeSQL: RunKind.task.sql)
            """).first.map { try $0.decode(String?.self, column: "logs") }
    }
}

public struct LaunchStoreError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Launch ids are UUIDs; anything else cannot name a launch (and must not reach a ::uuid cast as an error).
public enum UUIDText {
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (i, b) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(i) { if b != UInt8(ascii: "-") { return false } }
            else if !((b >= 48 && b <= 57) || (b >= 97 && b <= 102) || (b >= 65 && b <= 70)) { return false }
        }
        return true
    }
}
