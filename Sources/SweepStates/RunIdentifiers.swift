/// The two things called a "run id", named apart:
/// - `RunRowID`: the row number of a task run (`task_runs.id`), what the scheduler claims, fences and records by;
///   it never leaves the server.
/// - `RunName`: the run's name within its launch (`2`, `2_A`, `4_A_B`), what the API calls `run_id`.
public typealias RunRowID = Int64
public typealias RunName = String
