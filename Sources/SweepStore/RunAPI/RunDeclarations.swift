import Postgres
import SweepStates

/// What a run declared in its plan (`task_runs.exec`), read for the run API: an artifact is served to a task token
/// only when its run declared it (`artifacts`).
public enum RunDeclarations {
    public static func declaresArtifact(_ connection: PostgresConnection, runRowID: RunRowID, name: String) throws -> Bool {
        try connection.query("""
            SELECT coalesce(exec->'files'->'artifacts' ? \(name), false) AS declared FROM task_runs WHERE id = \(runRowID)
            """).first.map { try $0.decode(Bool.self, column: "declared") } ?? false
    }
}
