import SweepStore
import Web

/// One client's stream: a user's events, optionally of one launch, after an event id.
final class EventStream: @unchecked Sendable {
    // @unchecked: after `attach`, only the hub thread touches the mutable fields.
    let userID: UserID
    let launchID: String?
    var lastSent: Int64
    let sink: any StreamSink
    var lastWrite: ContinuousClock.Instant
    /// Still being sent its history (events after its Last-Event-ID up to what the hub has delivered): live
    /// events skip it meanwhile, and the hub's replay reaches them in turn.
    var catchingUp = true

    init(userID: UserID, launchID: String?, after: Int64, sink: any StreamSink) {
        self.userID = userID
        self.launchID = launchID
        self.lastSent = after
        self.sink = sink
        self.lastWrite = .now
    }

    func wants(_ event: StoredEventRow) -> Bool {
        event.id > lastSent && event.userID == userID && (launchID == nil || launchID == event.launchID)
    }
}
