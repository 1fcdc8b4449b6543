import Foundation
import Postgres
import SweepCrypto
import SweepJSON
import SweepStates

/// The `executors` table (migration 0017) and executors' assignments. Everything but the assignment runs in the
/// executor's user's transaction; the assignment is the claim (`TaskRunSQL.claimForExecutor`), run like a
/// scheduler's on the system connection and scoped to the user by its own condition.
public enum ExecutorStore {
    /// An executor that asked for work within this many seconds is `online`: a long-poll waits at most 60 s, so
    /// one that keeps polling is never seen offline.
    public static let onlineWindowSeconds = 90

    static let columns = """
        id, name, type, created_at, last_seen_at, last_seen_at > now() - make_interval(secs => \(onlineWindowSeconds)) AS online,
        (SELECT count(*) FROM task_runs t WHERE t.claimed_by = 'executor:' || e.id AND t.state = \(RunState.running.sql))::int AS running
        """

    public static func create(_ tx: TenantTransaction, name: String, type: String) throws -> ExecutorRecord {
        let id = "ex_" + Hex.encode(SecureRandom.bytes(8))
        let rows = try tx.connection.query("""
            INSERT INTO executors AS e (user_id, id, name, type) VALUES (\(tx.userID), \(id), \(name), \(type))
            RETURNING \(unsafeSQL: columns)
            """)
        return try decode(rows[0])
    }

    public static func list(_ tx: TenantTransaction, after cursor: String?, limit: Int) throws -> [ExecutorRecord] {
        try tx.connection.query("""
            SELECT \(unsafeSQL: columns) FROM executors e
            WHERE user_id = \(tx.userID) AND (\(cursor == nil) OR id > \(cursor ?? "")) ORDER BY id LIMIT \(limit)
            """).map(decode)
    }

    public static func find(_ tx: TenantTransaction, id: String) throws -> ExecutorRecord? {
        try tx.connection.query("SELECT \(unsafeSQL: columns) FROM executors e WHERE user_id = \(tx.userID) AND id = \(id)").first.map(decode)
    }

    /// Removes the executor and, in the same transaction, ends the leases of the runs it holds as if they had
    /// expired (the rescuer's outcome, at once): runs with attempts left go back to `scheduled` as retries
    /// (`TaskRunSQL.releaseExecutorRuns`), the others fail through `LaunchProgression`, which retries them while the
    /// task's `retries` allow. Their task tokens stop working with the commit. False for an unknown executor
    /// (another user's included: nothing of it is touched).
    public static func delete(_ tx: TenantTransaction, id: String, now: Date? = nil) throws -> Bool {
        let connection = tx.connection
        guard try connection.execute("DELETE FROM executors WHERE user_id = \(tx.userID) AND id = \(id)") > 0 else { return false }
        let held: [String: PostgresBind] = [
            "user": tx.userID.postgresBind, "scheduler": ExecutorRecord.claimant(id).postgresBind, "now": now.postgresBind,
        ]
        // The launches' rows first, in id order, as completers take them, then their runs: a result of one of
        // these runs reported meanwhile (launch row, then run row) waits for this transaction instead of
        // closing a cycle with it.
        let launchIDs = try connection.query(TaskRunSQL.executorHeldLaunches.query(held)).map { try $0.decode(String.self, column: "launch_id") }
        guard !launchIDs.isEmpty else { return true }
        var launches: [String: LaunchRecord] = [:]
        for launchID in launchIDs { launches[launchID] = try LaunchRecord.lock(connection, id: launchID) }
        _ = try connection.query(TaskRunSQL.releaseExecutorRuns.query(held))
        let failures = try connection.query(TaskRunSQL.executorRunsOutOfAttempts.query(held)).map { row in
            let attempt = try row.decode(Int.self, column: "attempt")
            return RunCompletion(
                runID: try row.decode(Int64.self, column: "id"), launchID: try row.decode(String.self, column: "launch_id"),
                attempt: attempt, outcome: .failed("lease ended during attempt \(attempt) (its executor was deleted)"))
        }
        for (launchID, completions) in Dictionary(grouping: failures, by: \.launchID).sorted(by: { $0.key < $1.key }) {
            guard let launch = launches[launchID], let plan = try LaunchPlan.load(connection, launchID: launchID) else { continue }
            let progression = LaunchProgression(connection: connection, launch: launch, plan: plan, now: now)
            try progression.complete(completions)
            try progression.flush()
        }
        return true
    }

    /// Records that the executor asked for work; answers its type, or nil for an unknown executor.
    public static func touch(_ tx: TenantTransaction, id: String) throws -> String? {
        try tx.connection.query("""
            UPDATE executors SET last_seen_at = now() WHERE user_id = \(tx.userID) AND id = \(id) RETURNING type
            """).first.map { try $0.decode(String.self, column: "type") }
    }

    /// One run handed to an executor.
    public struct Assignment: Sendable {
        public let token: String
        public let launchID: String
        public let runID: String
        public let taskID: String
        public let attempt: Int
        public let function: String
        public let args: JSONValue
        public let input: JSONValue
        public let leaseExpiresAt: String
        /// Names of the run's input files, read through the run API (`GET /run/input_files/{name}`).
        public var inputFiles: [String] = []

        public var json: JSONValue {
            ["token": .string(token), "launch_id": .string(launchID), "run_id": .string(runID), "task_id": .string(taskID),
             "attempt": .int(Int64(attempt)), "function": .string(function), "args": args, "input": input,
             "lease_expires_at": .string(leaseExpiresAt), "input_files": .array(inputFiles.map(JSONValue.string))]
        }
    }

    /// What one claim took, and whether another claim could take more right now (a parked long-poll then wakes
    /// the next waiter: `SingleWake`).
    public struct Claim: Sendable {
        public let items: [Assignment]
        public let workLeft: Bool
        /// The executor was deleted (a long-poll parked before its deletion): nothing was claimed.
        public var executorGone = false
    }

    /// Claims up to `limit` runs of `userID`'s `type` for executor `executorID`.
    public static func assign(
        _ connection: PostgresConnection, userID: UserID, executorID: String, type: String, limit: Int, leaseSeconds: Int,
        runningCap: Int, now: Date? = nil
    ) throws -> [Assignment] {
        try claim(connection, userID: userID, executorID: executorID, type: type, limit: limit, leaseSeconds: leaseSeconds,
                  runningCap: runningCap, now: now).items
    }

    /// Claims up to `limit` runs of `userID`'s `type` for executor `executorID` (nothing once it is deleted): one
    /// transaction that locks the executor's row against deletion, then takes the user's claim lock (`TaskRunSQL.lockExecutorClaim`), so the running cap holds exactly under concurrent
    /// assignments, then claims (`TaskRunSQL.claimForExecutor`).
    public static func claim(
        _ connection: PostgresConnection, userID: UserID, executorID: String, type: String, limit: Int, leaseSeconds: Int,
        runningCap: Int, now: Date? = nil
    ) throws -> Claim {
        let claimed = try connection.transaction { connection -> PostgresRows? in
            // The executor's row, held against its deletion until this claim commits: a deletion that came first
            // leaves no executor to claim for (a long-poll parked before it is woken later), and one that comes
            // after waits, then releases what this claim took (`delete`). KEY SHARE: `touch` still updates it.
            guard try !connection.query("""
                SELECT 1 FROM executors WHERE user_id = \(userID) AND id = \(executorID) FOR KEY SHARE
                """).isEmpty else { return nil }
            _ = try connection.query(TaskRunSQL.lockExecutorClaim.query(["user": userID.postgresBind]))
            return try connection.query(TaskRunSQL.claimForExecutor.query([
                "user": userID.postgresBind, "executor_type": type.postgresBind, "limit": limit.postgresBind,
                "scheduler": ExecutorRecord.claimant(executorID).postgresBind, "lease": leaseSeconds.postgresBind,
                "running_cap": runningCap.postgresBind, "now": now.postgresBind,
            ]))
        }
        // Deleted: nothing claimed, and whatever woke this claim is handed on to the next waiter.
        guard let rows = claimed else { return Claim(items: [], workLeft: true, executorGone: true) }
        let items = try rows.map { row in
            let exec = try row.decode(JSONValue?.self, column: "exec") ?? .null
            let alternative = exec["alternatives"]?.arrayValue?.first ?? .null
            var assignment = Assignment(
                token: try row.decode(String.self, column: "token"), launchID: try row.decode(String.self, column: "launch_id"),
                runID: try row.decode(String.self, column: "name"), taskID: try row.decode(String.self, column: "task_id"),
                attempt: try row.decode(Int.self, column: "attempt"), function: alternative["function"]?.stringValue ?? "",
                args: alternative["args"] ?? .array([]), input: try row.decode(JSONValue?.self, column: "input") ?? .object([:]),
                leaseExpiresAt: try row.decode(String.self, column: "lease_expires_at"))
            assignment.inputFiles = RunInputFile.names(inExec: exec)
            return assignment
        }
        return Claim(items: items, workLeft: try rows.first?.decode(Bool.self, column: "work_left") ?? false)
    }

    /// The user/type pairs with claimable executor runs right now: one index probe per pair (a skip scan of
    /// `task_runs_executor_claimable_idx`). Parked long-polls consult this instead of each running a claim.
    public static func typesWithWork(_ connection: PostgresConnection) throws -> Set<String> {
        let rows = try connection.query("""
            WITH RECURSIVE pairs AS (
                (SELECT t.user_id, t.executor_type FROM task_runs t WHERE \(unsafeSQL: TaskRunSQL.executorClaimable) AND t.ready_at <= now()
                 ORDER BY t.user_id, t.executor_type LIMIT 1)
                UNION ALL
                SELECT n.user_id, n.executor_type FROM pairs p CROSS JOIN LATERAL (
                    SELECT t.user_id, t.executor_type FROM task_runs t WHERE \(unsafeSQL: TaskRunSQL.executorClaimable)
                      AND (t.user_id, t.executor_type) > (p.user_id, p.executor_type) AND t.ready_at <= now()
                    ORDER BY t.user_id, t.executor_type LIMIT 1) AS n
            )
            SELECT user_id::text || ':' || executor_type AS key FROM pairs
            """)
        return Set(try rows.map { try $0.decode(String.self, column: "key") })
    }

    /// The NOTIFY key of "work of `type` for `userID`" (migration 0017's trigger).
    public static func workKey(userID: UserID, type: String) -> String { "\(userID.rawValue):\(type)" }

    static func decode(_ row: PostgresRow) throws -> ExecutorRecord {
        ExecutorRecord(
            id: try row.decode(String.self, column: "id"), name: try row.decode(String.self, column: "name"),
            type: try row.decode(String.self, column: "type"), createdAt: try row.decode(Date.self, column: "created_at"),
            lastSeenAt: try row.decode(Date.self, column: "last_seen_at"), online: try row.decode(Bool.self, column: "online"),
            running: try row.decode(Int.self, column: "running"))
    }
}
