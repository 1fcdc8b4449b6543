import Postgres
import SweepStates

/// The SQL of `user_limits` (migration 0006), and the counts the limits are checked against.
public enum UserLimitStore {
    static let columns = "max_running_runs, max_launches_in_flight, max_replicas_per_launch, max_stored_bytes, max_streams"

    /// The limits stored for a user; all nil when none are set (the defaults apply).
    public static func find(_ connection: PostgresConnection, userID: UserID) throws -> UserLimits {
        guard let row = try connection.query("SELECT \(unsafeSQL: columns) FROM user_limits WHERE user_id = \(userID)").first else {
            return UserLimits()
        }
        return UserLimits(
            maxRunningRuns: try row.decode(Int?.self, column: "max_running_runs"),
            maxLaunchesInFlight: try row.decode(Int?.self, column: "max_launches_in_flight"),
            maxReplicasPerLaunch: try row.decode(Int?.self, column: "max_replicas_per_launch"),
            maxStoredBytes: try row.decode(Int64?.self, column: "max_stored_bytes"),
            maxStreams: try row.decode(Int?.self, column: "max_streams"))
    }

    /// Replaces a user's limits (a PUT: what is nil goes back to the default).
    public static func put(_ connection: PostgresConnection, userID: UserID, _ limits: UserLimits) throws {
        _ = try connection.execute("""
            INSERT INTO user_limits (user_id, \(unsafeSQL: columns), updated_at)
            VALUES (\(userID), \(limits.maxRunningRuns)::integer, \(limits.maxLaunchesInFlight)::integer,
                    \(limits.maxReplicasPerLaunch)::integer, \(limits.maxStoredBytes)::bigint, \(limits.maxStreams)::integer, now())
            ON CONFLICT (user_id) DO UPDATE SET
                max_running_runs = excluded.max_running_runs, max_launches_in_flight = excluded.max_launches_in_flight,
                max_replicas_per_launch = excluded.max_replicas_per_launch, max_stored_bytes = excluded.max_stored_bytes,
                max_streams = excluded.max_streams, updated_at = excluded.updated_at
            """)
    }

    /// The user's launches that are waiting or running. Call it inside the transaction that creates a launch, after
    /// `lockLaunchAdmission`, so two concurrent creations cannot both see room for one.
    public static func launchesInFlight(_ connection: PostgresConnection, userID: UserID) throws -> Int {
        try connection.query("""
            SELECT count(*) AS n FROM launches WHERE user_id = \(userID) AND state IN \(unsafeSQL: LaunchState.sqlList([.waiting, .running]))
            """)[0].decode(Int.self, column: "n")
    }

    /// Serialises one user's launch creations for the rest of the transaction (a transaction-scoped advisory lock
    /// keyed by this migration's number and the user), so the in-flight count and the insert are one decision.
    public static func lockLaunchAdmission(_ connection: PostgresConnection, userID: UserID) throws {
        _ = try connection.query("SELECT pg_advisory_xact_lock(6, (\(userID) % 2147483647)::integer) AS locked")
    }
}
