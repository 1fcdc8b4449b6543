import Postgres
import SweepJSON
import SweepStates

/// The `run_logs` table: a run's stdout and stderr, kept apart, each capped at `capCharacters`. The one home of its SQL.
/// The scheduler appends while the run runs (so followers read them live) and NOTIFYs `channel` with the launch id;
/// readers are the API's log routes.
public enum RunLogStore {
    /// Bytes kept per stream; the rest is counted (`total_bytes`) and marked `truncated`. The supervisor keeps the
    /// same amount in memory per stream (`ResourceLimits.outputBytes`).
    public static let capCharacters = 1 << 20
    /// NOTIFY channel, payload the launch id: a run's logs grew. The events channel, on purpose: a run's end is
    /// announced there (its `task.*` event), so one parked follower wakes for new text and for the end alike; an
    /// event stream woken by a log line finds no new event and sleeps again (appends come at most every 200 ms).
    public static let channel = EventWriter.channel

    /// Appends `chunk` to the stream, keeping its first `capCharacters` characters (PostgreSQL's `left` counts characters,
    /// so a cut never splits one; readers' offsets count characters too).
    public static func append(_ connection: PostgresConnection, userID: UserID, launchID: String, runID: RunRowID,
                              stream: RunLogStream, chunk: [UInt8], dropped: Bool = false) throws {
        guard !chunk.isEmpty || dropped else { return }
        let text = StorableText.sanitised(String(decoding: chunk, as: UTF8.self))
        try connection.execute("""
            INSERT INTO run_logs AS l (user_id, launch_id, run_id, stream, text, total_bytes, truncated)
            VALUES (\(userID), \(launchID)::uuid, \(runID), \(stream.rawValue), left(\(text)::text, \(capCharacters)::int), \(chunk.count)::bigint,
                    \(dropped) OR length(\(text)::text) > \(capCharacters)::int)
            ON CONFLICT (user_id, launch_id, run_id, stream) DO UPDATE
                SET text = left(l.text || excluded.text, \(capCharacters)::int),
                    total_bytes = l.total_bytes + excluded.total_bytes,
                    truncated = l.truncated OR excluded.truncated OR length(l.text) + length(excluded.text) > \(capCharacters)::int
            """)
    }

    public static func notify(_ connection: PostgresConnection, launchID: String) throws {
        try connection.notify(channel: channel, payload: launchID)
    }

    public struct Read: Sendable {
        public var text: String
        public var truncated: Bool
        /// The run's state when read (followers stop at an ended run).
        public var state: String
    }

    /// The stream's text from character `offset` on (for a follower that has the rest), or nil when the user has no
    /// such run. A run that has not written to the stream reads as empty.
    public static func read(_ tx: TenantTransaction, launchID: String, runName: String, stream: RunLogStream, offset: Int = 0) throws -> Read? {
        try read(tx.connection, userID: tx.userID, launchID: launchID, runName: runName, stream: stream, offset: offset)
    }

    /// The same on a connection that is not the user's own (the SSE hub's system-role connection), so scoped to
    /// `userID` here.
    public static func read(_ connection: PostgresConnection, userID: UserID, launchID: String, runName: String, stream: RunLogStream, offset: Int = 0) throws -> Read? {
        let row = try connection.query("""
            SELECT r.state, substr(coalesce(l.text, ''), \(offset + 1)::int) AS text, coalesce(l.truncated, false) AS truncated
            FROM task_runs r LEFT JOIN run_logs l
              ON l.user_id = r.user_id AND l.launch_id = r.launch_id AND l.run_id = r.id AND l.stream = \(stream.rawValue)
            WHERE r.user_id = \(userID) AND r.launch_id = \(launchID)::uuid AND r.name = \(runName) AND r.kind = \(unsafeSQL: RunKind.task.sql)
            """).first
        return try row.map { Read(text: try $0.decode(String.self, column: "text"), truncated: try $0.decode(Bool.self, column: "truncated"),
                                  state: try $0.decode(String.self, column: "state")) }
    }
}
