import SweepJSON
import SweepStates

/// A progress event to append in the transaction that made the change (API.md's SSE event types). The writer adds
/// `launch_id`, `run_id` and `ts` to `data`.
public struct EventDraft: Sendable, Hashable {
    public var type: EventType
    public var runName: String?
    public var data: [String: JSONValue]

    public init(type: EventType, runName: String? = nil, data: [String: JSONValue] = [:]) {
        self.type = type
        self.runName = runName
        self.data = data
    }
}
