/// The one home of how a run's input is read back. A run whose input holds the launch's input unchanged under
/// `launch_input` (`StoredRunInput`: a follower, any unreplicated run of a launch with an input) is stored without
/// that key and with `splice_launch_input` set (migration 0030); every statement that answers a run's input (the
/// claims of schedulers and executors, the chain step, the run pages, the status page, waiting runs) reads it
/// through `input(_:)`, which puts the launch's input back. The value is jsonb either way, and jsonb orders an
/// object's keys itself, so a reader gets exactly the text it got when the whole input was stored: a 3,000-element
/// launch input made each follower's row ~15 kB, written (and compressed) under the launch's row lock.
/// Rows stored before migration 0030 (false, launch_input inline) read as they are.
public enum RunInputSQL {
    /// The run's input as executors and the API see it, for the task_runs row of alias (or table name) `t`:
    /// `input`, with `launch_input` (the launch's input, read by key) added back when the row leaves it out. The table
    /// is named with its schema: the executor claim has a CTE called `launches`.
    public static func input(_ t: String) -> String {
        """
        CASE WHEN \(t).splice_launch_input THEN \(t).input || jsonb_build_object('launch_input', \
        (SELECT sl.input FROM public.launches sl WHERE sl.id = \(t).launch_id)) ELSE \(t).input END
        """
    }
}
