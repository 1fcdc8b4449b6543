import Postgres
import SweepJSON
import SweepModel

/// Appends events in one statement and announces them; the NOTIFY is delivered at commit, with the change.
public enum EventWriter {
    public static let channel = "sweep_events"

    /// The `{"type", "run", "data"}` rows that `append` and `LaunchProgression.flush` insert.
    static func rows(launchID: String, _ events: [EventDraft]) -> JSONValue {
        .array(events.map { event in
            var data = event.data
            data["launch_id"] = .string(launchID)
            if let run = event.runName { data["run_id"] = .string(run) }
            return ["type": .string(event.type.rawValue), "run": event.runName.map(JSONValue.string) ?? .null, "data": .object(data)]
        })
    }

    public static func append(_ connection: PostgresConnection, userID: UserID, launchID: String, _ events: [EventDraft]) throws {
        guard !events.isEmpty else { return }
        try connection.execute("""
            INSERT INTO events (user_id, launch_id, run_name, type, data)
            SELECT \(userID), \(launchID)::uuid, e.value->>'run', e.value->>'type',
                   (e.value->'data') || jsonb_build_object('ts', \(unsafeSQL: EventSQL.timestamp))
            FROM jsonb_array_elements(\(rows(launchID: launchID, events))::jsonb) WITH ORDINALITY AS e(value, n)
            ORDER BY e.n
            """)
        try connection.notify(channel: channel, payload: launchID)
    }
}
