import Foundation
import Postgres
import SweepJSON
import SweepStore

/// Moves runs through the named statements by hand, as a scheduler would, without executing anything.
public struct StoreDriver {
    public let connection: PostgresConnection
    public let scheduler: String
    public var leaseSeconds = 30

    public init(url: String, scheduler: String = "test-scheduler") throws {
        connection = try PostgresConnection(url: url, applicationName: "sweep-tests")
        self.scheduler = scheduler
    }

    public struct Claimed: Sendable, Hashable {
        public let id: Int64
        public let launchID: String
        public let userID: Int64
        public let name: String
        public let attempt: Int
    }

    /// `TaskRunSQL.claim` in its own transaction.
    public func claim(limit: Int = 100, now: Date? = nil, defaultMaxRunningRuns: Int = LimitDefaults.defaultMaxRunningRuns) throws -> [Claimed] {
        try connection.transaction { connection in
            let room = try connection.query(TaskRunSQL.lockUsersNearCap.query([
                "limit": limit.postgresBind, "running_cap": defaultMaxRunningRuns.postgresBind,
            ]))[0]
            return try connection.query(TaskRunSQL.claim.query([
                "held": try room.decode([Int64].self, column: "held").postgresBind,
                "users": try room.decode([Int64].self, column: "users").postgresBind,
                "rooms": try room.decode([Int64].self, column: "rooms").postgresBind,
                "near_users": try room.decode([Int64].self, column: "near_users").postgresBind,
                "limit": limit.postgresBind, "scheduler": scheduler.postgresBind, "lease": leaseSeconds.postgresBind, "now": now.postgresBind,
                "running_cap": defaultMaxRunningRuns.postgresBind,
            ])).map { row in
                Claimed(id: try row.decode(Int64.self, column: "id"), launchID: try row.decode(String.self, column: "launch_id"),
                        userID: try row.decode(Int64.self, column: "user_id"), name: try row.decode(String.self, column: "name"),
                        attempt: try row.decode(Int.self, column: "attempt"))
            }
        }
    }

    /// Records completions of one launch through the general path, under the launch's lock; returns how many
    /// were accepted.
    @discardableResult
    public func complete(_ launchID: String, _ completions: [RunCompletion], now: Date? = nil) throws -> Int {
        try connection.transaction { connection in
            guard let launch = try LaunchRecord.lock(connection, id: launchID), let plan = try LaunchPlan.load(connection, launchID: launchID) else {
                throw TestFailure("no launch \(launchID)")
            }
            let progression = LaunchProgression(connection: connection, launch: launch, plan: plan, now: now)
            let accepted = try progression.complete(completions)
            try progression.flush()
            return accepted
        }
    }

    public func success(_ run: Claimed, output: JSONValue = [:]) -> RunCompletion {
        RunCompletion(runID: run.id, launchID: run.launchID, attempt: run.attempt, outcome: .succeeded(output))
    }

    public func failure(_ run: Claimed, _ message: String = "boom") -> RunCompletion {
        RunCompletion(runID: run.id, launchID: run.launchID, attempt: run.attempt, outcome: .failed(message))
    }

    /// Claims and succeeds every claimable run until none is left (or `rounds` is reached).
    public func drain(now: Date? = nil, rounds: Int = 50, output: (Claimed) -> JSONValue = { _ in [:] }) throws {
        for _ in 0..<rounds {
            let claimed = try claim(now: now)
            if claimed.isEmpty { return }
            for (launchID, runs) in Dictionary(grouping: claimed, by: \.launchID) {
                try complete(launchID, runs.map { success($0, output: output($0)) }, now: now)
            }
        }
    }

    /// One value of a query with no bound values (test checks).
    public func value<T: PostgresDecodable>(_ type: T.Type, _ sql: PostgresQuery) throws -> T {
        try connection.query(sql)[0].decode(T.self, at: 0)
    }

    /// Launch counters as written, and as counted from the runs: they must agree.
    public func counters(_ launchID: String) throws -> (written: [Int], counted: [Int]) {
        let row = try connection.query("""
            SELECT l.open_runs, l.active_runs, l.total_runs, l.finished_runs, l.failed_runs,
                   count(*) FILTER (WHERE r.state IN ('pending', 'scheduled', 'running'))::int AS open,
                   count(*) FILTER (WHERE (r.state = 'scheduled' AND NOT r.throttled) OR r.state = 'running')::int AS active,
                   count(*) FILTER (WHERE r.kind = 'task')::int AS total,
                   count(*) FILTER (WHERE r.kind = 'task' AND r.state NOT IN ('pending', 'scheduled', 'running'))::int AS finished,
                   count(*) FILTER (WHERE r.state = 'failed')::int AS failed
            FROM launches l LEFT JOIN task_runs r ON r.launch_id = l.id
            WHERE l.id = \(launchID)::uuid GROUP BY l.id
            """)[0]
        func int(_ c: String) throws -> Int { try row.decode(Int.self, column: c) }
        return ([try int("open_runs"), try int("active_runs"), try int("total_runs"), try int("finished_runs"), try int("failed_runs")],
                [try int("open"), try int("active"), try int("total"), try int("finished"), try int("failed")])
    }
}
