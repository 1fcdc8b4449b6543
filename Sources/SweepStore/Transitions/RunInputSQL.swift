/// The one home of how a run's input is read back. A run whose input holds the launch's input unchanged under
/// `launch_input` (`Planner.storedInput`: a follower, any unreplicated run of a launch with an input) is stored
/// without that member and with `splice_launch_input` set (migration 0030): a 3,000-element launch input made each
/// follower's row ~15 kB, written (and compressed) under the launch's row lock. Every statement that answers a run's
/// input puts the launch's input back: through `input(_:)` (the run pages, the status page, waiting runs), or, in the
/// claims of schedulers and executors, through `claimedInput(_:)`, the same text built more cheaply. jsonb orders an
/// object's members itself, so a reader gets exactly the text it got when the whole input was stored. Rows stored
/// before migration 0030 (false, launch_input inline) read as they are.
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

extension RunInputSQL {
    /// CTE `launch_texts(id, input)`: the input (as text) of each launch with a run of the preceding CTE
    /// `claimed(launch_id, input, splice_launch_input)` that leaves it out, written once per statement: jsonb to
    /// text of a 10,000-element launch input cost ~1 ms, and a claim answers up to hundreds of its followers.
    public static let launchTexts = """
        launch_texts AS MATERIALIZED (
            SELECT sl.id, sl.input::text AS input FROM public.launches sl
            WHERE sl.id IN (SELECT launch_id FROM claimed WHERE splice_launch_input)
        )
        """

    /// The input (text) of claimed run `c` (a row of `claimed`), as `input(_:)` gives it, by text: jsonb writes an
    /// object's members in key order (shorter keys first, then bytewise), so when every member of the stored input
    /// sorts after "launch_input" (the standard input's members do: predecessor_outputs, static_input,
    /// scatter_element) the whole input's text is `{"launch_input": <launch input>, ` and the rest of the stored
    /// text. About 15 times cheaper than building the jsonb (`||`) and writing it out per run (0.17 against 2.6 ms
    /// per run for a 10,000-element launch input); any other stored input takes `input(_:)`'s way.
    public static func claimedInput(_ c: String) -> String {
        """
        CASE WHEN NOT \(c).splice_launch_input THEN \(c).input::text
             WHEN \(c).input = '{}'::jsonb THEN '{"launch_input": ' || (SELECT lt.input FROM launch_texts lt WHERE lt.id = \(c).launch_id) || '}'
             WHEN jsonb_typeof(\(c).input) <> 'object' THEN (\(input(c)))::text
             WHEN NOT EXISTS (
                 SELECT 1 FROM jsonb_object_keys(\(c).input) AS k(key)
                 WHERE octet_length(k.key) < 12 OR (octet_length(k.key) = 12 AND k.key COLLATE "C" < 'launch_input'))
             THEN '{"launch_input": ' || (SELECT lt.input FROM launch_texts lt WHERE lt.id = \(c).launch_id) || ', ' || substr(\(c).input::text, 2)
             ELSE (\(input(c)))::text
        END
        """
    }
}
