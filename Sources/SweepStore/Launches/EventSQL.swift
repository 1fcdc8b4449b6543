/// SQL fragments for events built inside statements (from RETURNING rows), so the hot path sends no event JSON.
public enum EventSQL {
    /// The event time, RFC 3339 UTC with microseconds.
    public static let timestamp = #"to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"#
}
