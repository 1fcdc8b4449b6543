import Foundation
import Postgres
import SweepJSON

/// Workflow definitions with versions: posting an existing id stores version n+1.
public struct WorkflowStore {
    let tx: TenantTransaction

    public init(_ tx: TenantTransaction) {
        self.tx = tx
    }

    /// Stores the next version of `workflowID`; returns its number.
    public func insertNextVersion(workflowID: String, definition: JSONValue) throws -> Int {
        // Serialise concurrent registrations of the same id for this user (the primary key would make one fail).
        try tx.connection.query("SELECT pg_advisory_xact_lock(hashtext(\(String(tx.userID.rawValue) + "/" + workflowID)))")
        let rows = try tx.connection.query("""
            INSERT INTO workflows (user_id, workflow_id, version, definition)
            SELECT \(tx.userID), \(workflowID), coalesce(max(version), 0) + 1, \(definition)::jsonb
            FROM workflows WHERE user_id = \(tx.userID) AND workflow_id = \(workflowID)
            RETURNING version
            """)
        return try rows[0].decode(Int.self, column: "version")
    }

    /// The latest version, or the given one.
    public func find(workflowID: String, version: Int? = nil) throws -> StoredWorkflow? {
        try tx.connection.query("""
            SELECT workflow_id, version, definition, created_at FROM workflows
            WHERE user_id = \(tx.userID) AND workflow_id = \(workflowID) AND (\(version == nil) OR version = \(version ?? 0))
            ORDER BY version DESC LIMIT 1
            """).first.map(Self.decode)
    }

    /// The latest version number of every workflow of this user (what `workflow` tasks may name).
    public func latestVersions() throws -> [String: Int] {
        var versions: [String: Int] = [:]
        for row in try tx.connection.query("SELECT workflow_id, max(version) AS version FROM workflows WHERE user_id = \(tx.userID) GROUP BY workflow_id") {
            versions[try row.decode(String.self, column: "workflow_id")] = try row.decode(Int.self, column: "version")
        }
        return versions
    }

    /// Latest version of each workflow, by id.
    public func listLatest(after cursor: String?, limit: Int) throws -> [StoredWorkflow] {
        try tx.connection.query("""
            SELECT DISTINCT ON (workflow_id) workflow_id, version, definition, created_at FROM workflows
            WHERE user_id = \(tx.userID) AND (\(cursor == nil) OR workflow_id > \(cursor ?? ""))
            ORDER BY workflow_id, version DESC LIMIT \(limit)
            """).map(Self.decode)
    }

    public func delete(workflowID: String) throws -> Bool {
        try tx.connection.execute("DELETE FROM workflows WHERE user_id = \(tx.userID) AND workflow_id = \(workflowID)") > 0
    }

    static func decode(_ row: PostgresRow) throws -> StoredWorkflow {
        StoredWorkflow(
            workflowID: try row.decode(String.self, column: "workflow_id"),
            version: try row.decode(Int.self, column: "version"),
            definition: try row.decode(JSONValue.self, column: "definition"),
            createdAt: try row.decode(Date.self, column: "created_at"))
    }
}
