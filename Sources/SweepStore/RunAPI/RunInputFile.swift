import Postgres
import SweepJSON
import SweepStates

/// One of a run's `input_files` as its plan holds it: contents already evaluated for this run (a `contents_expr`
/// over its input), so what a task reads through the run API is what a sandbox would have written into its
/// working directory. The one home of that read.
public struct RunInputFile: Sendable, Equatable {
    public let name: String
    public let contents: String

    /// The run's input files in their declared order (none when its task declares none).
    public static func all(_ connection: PostgresConnection, runRowID: RunRowID) throws -> [RunInputFile] {
        let files = try connection.query("""
            SELECT exec->'files'->'input_files' AS files FROM task_runs WHERE id = \(runRowID)
            """).first.flatMap { try $0.decode(JSONValue?.self, column: "files") }
        return (files?.arrayValue ?? []).compactMap { file in
            guard let name = file["name"]?.stringValue, let contents = file["contents"]?.stringValue else { return nil }
            return RunInputFile(name: name, contents: contents)
        }
    }

    /// The names of a run's input files in a plan's `exec` object (for the executor assignment, read with the claim).
    public static func names(inExec exec: JSONValue) -> [String] {
        (exec["files"]?["input_files"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    }
}
