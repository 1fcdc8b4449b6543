import Postgres

/// A task's `label` and `description` (API.md v1.1), shown beside its runs by the status page and the CLI.
public struct TaskTexts: Sendable, Hashable {
    public let label: String?
    public let description: String?

    /// The texts of the tasks of a launch that have any, by task id, from the launch's definition snapshot (so a
    /// later version of the workflow does not relabel an old launch). Only tasks with texts come back.
    static func load(_ tx: TenantTransaction, launchID: String) throws -> [String: TaskTexts] {
        guard UUIDText.isValid(launchID) else { return [:] }
        var texts: [String: TaskTexts] = [:]
        for row in try tx.connection.query("""
            SELECT t.value->>'id' AS task_id, t.value->'properties'->>'label' AS label, t.value->'properties'->>'description' AS description
            FROM launches l, jsonb_array_elements(l.definition->'tasks') AS t(value)
            WHERE l.user_id = \(tx.userID) AND l.id = \(launchID)::uuid AND jsonb_typeof(t.value->'properties') = 'object'
              AND (t.value->'properties' ? 'label' OR t.value->'properties' ? 'description')
            """) {
            texts[try row.decode(String.self, column: "task_id")] = TaskTexts(
                label: try row.decode(String?.self, column: "label"), description: try row.decode(String?.self, column: "description"))
        }
        return texts
    }
}
