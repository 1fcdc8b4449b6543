/// SQL fragments for events built inside statements (from RETURNING rows), so the hot path sends no event JSON.
public enum EventSQL {
    /// The event time, RFC 3339 UTC with microseconds (a function of migration 0004, shared with the chain fast path).
    public static let timestamp = "sweep_event_ts()"
}
