import SweepJSON

/// A progress event to append in the transaction that made the change (API.md's SSE event types).
public struct EventDraft: Sendable {
    public var type: String
    public var runName: String?
    public var data: [String: JSONValue]

    public init(type: String, runName: String? = nil, data: [String: JSONValue] = [:]) {
        self.type = type
        self.runName = runName
        self.data = data
    }
}
