import Postgres
import SweepJSON

/// Data a launch's tasks share (BE `ti.push`/`ti.pull`): one JSON value per key, scoped to the launch, bounded per
/// value and per launch so one task cannot fill the database. The only home of `launch_shared_data`'s SQL.
public struct LaunchSharedDataStore {
    public static let maxKeyLength = 200
    public static let maxValueBytes = 256 << 10
    public static let maxLaunchBytes = 4 << 20

    let tx: TenantTransaction

    public init(_ tx: TenantTransaction) { self.tx = tx }

    public enum PutResult: Sendable, Equatable { case stored, launchFull(usedBytes: Int) }

    /// Stores (or replaces) `key`; refused when the launch's shared values would pass `maxLaunchBytes` in all.
    public func put(launchID: String, key: String, value: JSONValue, bytes: Int) throws -> PutResult {
        // Serialise pushes to one launch so two cannot both pass the bound.
        _ = try tx.connection.query("SELECT 1 FROM launches WHERE id = \(launchID)::uuid AND user_id = \(tx.userID) FOR UPDATE")
        let used = try tx.connection.query("""
            SELECT coalesce(sum(bytes), 0)::bigint AS used FROM launch_shared_data
            WHERE user_id = \(tx.userID) AND launch_id = \(launchID)::uuid AND key <> \(key)
            """).first.map { try $0.decode(Int64.self, column: "used") } ?? 0
        guard Int(used) + bytes <= Self.maxLaunchBytes else { return .launchFull(usedBytes: Int(used)) }
        _ = try tx.connection.execute("""
            INSERT INTO launch_shared_data (user_id, launch_id, key, value, bytes) VALUES (\(tx.userID), \(launchID)::uuid, \(key), \(value)::jsonb, \(bytes))
            ON CONFLICT (user_id, launch_id, key) DO UPDATE SET value = excluded.value, bytes = excluded.bytes, updated_at = now()
            """)
        return .stored
    }

    public func get(launchID: String, key: String) throws -> JSONValue? {
        try tx.connection.query("""
            SELECT value FROM launch_shared_data WHERE user_id = \(tx.userID) AND launch_id = \(launchID)::uuid AND key = \(key)
            """).first.map { try $0.decode(JSONValue.self, column: "value") }
    }

    /// Every shared value of a launch, for its status.
    public func all(launchID: String) throws -> [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        for row in try tx.connection.query("""
            SELECT key, value FROM launch_shared_data WHERE user_id = \(tx.userID) AND launch_id = \(launchID)::uuid
            """) {
            values[try row.decode(String.self, column: "key")] = try row.decode(JSONValue.self, column: "value")
        }
        return values
    }
}
