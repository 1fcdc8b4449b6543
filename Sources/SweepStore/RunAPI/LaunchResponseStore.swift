import Postgres
import SweepJSON

/// The answer a backend workflow's tasks compose for its `/call` (BE `ti.response_data`, `ti.response_meta`):
/// objects appended per response item in arrival order, and one metadata object per item. Bounded per launch.
/// The only home of `launch_response_data`'s and `launch_response_meta`'s SQL.
public struct LaunchResponseStore {
    public static let maxLaunchBytes = 8 << 20

    let tx: TenantTransaction

    public init(_ tx: TenantTransaction) { self.tx = tx }

    /// The workflow definition the launch runs (its snapshot), to check response objects against.
    public func definition(launchID: String) throws -> JSONValue? {
        try tx.connection.query("SELECT definition FROM launches WHERE id = \(launchID)::uuid AND user_id = \(tx.userID)")
            .first.map { try $0.decode(JSONValue.self, column: "definition") }
    }

    /// Appends `objects` to `item`; false when the launch's response would pass `maxLaunchBytes`.
    public func append(launchID: String, item: String, objects: [JSONValue], bytes: Int) throws -> Bool {
        _ = try tx.connection.query("SELECT 1 FROM launches WHERE id = \(launchID)::uuid AND user_id = \(tx.userID) FOR UPDATE")
        let used = try tx.connection.query("""
            SELECT coalesce(sum(bytes), 0)::bigint AS used FROM launch_response_data WHERE user_id = \(tx.userID) AND launch_id = \(launchID)::uuid
            """).first.map { try $0.decode(Int64.self, column: "used") } ?? 0
        guard Int(used) + bytes <= Self.maxLaunchBytes else { return false }
        _ = try tx.connection.execute("""
            INSERT INTO launch_response_data (user_id, launch_id, item, data, bytes)
            VALUES (\(tx.userID), \(launchID)::uuid, \(item), \(JSONValue.array(objects))::jsonb, \(bytes))
            """)
        return true
    }

    public func setMeta(launchID: String, item: String, meta: JSONValue) throws {
        _ = try tx.connection.execute("""
            INSERT INTO launch_response_meta (user_id, launch_id, item, meta) VALUES (\(tx.userID), \(launchID)::uuid, \(item), \(meta)::jsonb)
            ON CONFLICT (user_id, launch_id, item) DO UPDATE SET meta = excluded.meta
            """)
    }

    /// `{"data": {item: [objects]}, "meta": {item: {...}}}`: every declared item appears (empty when no task
    /// answered it), then any other item tasks sent.
    public func answer(launchID: String, declaredItems: [String]) throws -> JSONValue {
        var data: [String: [JSONValue]] = [:]
        for item in declaredItems { data[item] = [] }
        for row in try tx.connection.query("""
            SELECT item, data FROM launch_response_data WHERE user_id = \(tx.userID) AND launch_id = \(launchID)::uuid ORDER BY seq
            """) {
            let item = try row.decode(String.self, column: "item")
            data[item, default: []] += try row.decode(JSONValue.self, column: "data").arrayValue ?? []
        }
        var meta: [String: JSONValue] = [:]
        for item in declaredItems { meta[item] = [:] }
        for row in try tx.connection.query("""
            SELECT item, meta FROM launch_response_meta WHERE user_id = \(tx.userID) AND launch_id = \(launchID)::uuid
            """) {
            meta[try row.decode(String.self, column: "item")] = try row.decode(JSONValue.self, column: "meta")
        }
        return ["data": .object(data.mapValues(JSONValue.array)), "meta": .object(meta)]
    }

    /// The first failed run's name and error, for a 502 `workflow_failed`.
    public func failure(launchID: String) throws -> (run: String, error: String?)? {
        try tx.connection.query("""
            SELECT name, error FROM task_runs WHERE launch_id = \(launchID)::uuid AND user_id = \(tx.userID) AND state = 'failed'
            ORDER BY finished_at NULLS LAST, id LIMIT 1
            """).first.map { (try $0.decode(String.self, column: "name"), try $0.decode(String?.self, column: "error")) }
    }
}
