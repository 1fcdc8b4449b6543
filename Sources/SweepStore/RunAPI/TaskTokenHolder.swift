import Postgres

/// The running run a task token belongs to (DESIGN §5: the token is a task's only credential). Everything the run
/// API allows is scoped by these fields: the run's own launch, its user, and the attempt that holds the lease.
public struct TaskTokenHolder: Sendable, Equatable {
    /// `task_runs.id`, the run's key.
    public let runRowID: Int64
    public let userID: UserID
    /// The launch's public id (a uuid).
    public let launchID: String
    /// The run id of the API (`2_A`).
    public let runName: String
    public let taskID: String
    /// The fencing token of the claim this token was minted for.
    public let attempt: Int

    init(_ row: PostgresRow) throws {
        runRowID = try row.decode(Int64.self, column: "id")
        userID = UserID(try row.decode(Int64.self, column: "user_id"))
        launchID = try row.decode(String.self, column: "launch_id")
        runName = try row.decode(String.self, column: "name")
        taskID = try row.decode(String.self, column: "task_id")
        attempt = try row.decode(Int.self, column: "attempt")
    }
}
