import SweepStates

/// Event payloads built inside statements (from RETURNING rows), so the hot path sends no event JSON. Every
/// transition of `TaskRunSQL` appends its event with these, in the statement that makes the change.
public enum EventSQL {
    /// The event time, RFC 3339 UTC with microseconds (a function of migration 0004).
    public static let timestamp = "sweep_event_ts()"

    /// `task.scheduled`'s data, from a row with launch_id, name, task_id and delay_seconds.
    public static let scheduledData = """
        jsonb_build_object('launch_id', launch_id::text, 'run_id', name, 'state', \(RunState.scheduled.sql), 'task_id', task_id,
                           'delay_seconds', delay_seconds, 'ts', \(timestamp))
        """

    /// `task.started`'s data, from a row with launch_id, name and attempt.
    public static let startedData = """
        jsonb_build_object('launch_id', launch_id::text, 'run_id', name, 'state', \(RunState.running.sql), 'attempt', attempt, 'ts', \(timestamp))
        """

    /// `task.succeeded`'s data, from a row with launch_id and name.
    public static let succeededData = """
        jsonb_build_object('launch_id', launch_id::text, 'run_id', name, 'state', \(RunState.succeeded.sql), 'ts', \(timestamp))
        """

    /// `task.retrying`'s data (API.md: `attempt`, `retry_at`, `error`), from a row just sent back to scheduled with
    /// launch_id, name, attempt (the one that failed), ready_at and error: `attempt` is the attempt that runs next.
    public static let retryingData = """
        jsonb_build_object('launch_id', launch_id::text, 'run_id', name, 'state', \(RunState.scheduled.sql), 'attempt', attempt + 1,
                           'retry_at', to_char(ready_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'error', error, 'ts', \(timestamp))
        """

    /// `task.skipped`'s data, from a row with launch_id and name.
    public static let skippedData = """
        jsonb_build_object('launch_id', launch_id::text, 'run_id', name, 'state', \(RunState.skipped.sql), 'ts', \(timestamp))
        """

    /// `launch.started`'s data, from a launches row.
    public static let launchStartedData = """
        jsonb_build_object('launch_id', id::text, 'state', \(LaunchState.running.sql), 'ts', \(timestamp))
        """
}
