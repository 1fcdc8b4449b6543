import Postgres
import SweepJSON

/// A stored progress event as clients see it: `{"id", "event", "data"}`.
public struct StoredEvent: Sendable {
    public let id: Int64
    public let launchID: String
    public let type: String
    public let data: JSONValue

    public var json: JSONValue { ["id": .int(id), "event": .string(type), "data": data] }
}

/// Reading a tenant's events in id order, for JSON pages and SSE replay.
public struct EventStore {
    let tx: TenantTransaction

    public init(_ tx: TenantTransaction) {
        self.tx = tx
    }

    /// Events after `afterID`, oldest first; of one launch, or of every launch of the user.
    /// Planned on each execution (`plannedEachTime`), as the SSE replay's read of the same rows: a generic plan
    /// walks the primary key through every user's events and filters by user.
    public func events(launchID: String?, after afterID: Int64, limit: Int) throws -> [StoredEvent] {
        try tx.connection.query(("""
            SELECT id, launch_id::text AS launch_id, type, data FROM events
            WHERE user_id = \(tx.userID) AND id > \(afterID) AND (\(launchID == nil) OR launch_id = \(launchID ?? "00000000-0000-0000-0000-000000000000")::uuid)
            ORDER BY id LIMIT \(limit)
            """ as PostgresQuery).plannedEachTime()).map { row in
                StoredEvent(
                    id: try row.decode(Int64.self, column: "id"), launchID: try row.decode(String.self, column: "launch_id"),
                    type: try row.decode(String.self, column: "type"), data: try row.decode(JSONValue.self, column: "data"))
            }
    }
}
