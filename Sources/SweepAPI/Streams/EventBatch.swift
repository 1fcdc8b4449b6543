/// One stream's next write, built by the hub's replay (from rows read for the stream) and its live delivery (from
/// rows read for every stream): the frames of its events in id order, the id of the last one, and whether the batch
/// holds the end event of the stream's launch. A stream of one launch gets nothing after that event (the hub closes
/// it once the batch is written); a replay batch also stops once it holds `byteCap` bytes (the frame that crosses
/// the cap is kept whole), while live delivery takes every event it is given (no cap).
struct EventBatch {
    private(set) var bytes: [UInt8] = []
    /// The id of the last event added; before any, the stream's `lastSent`.
    private(set) var lastID: Int64
    private(set) var endsLaunch = false
    private let oneLaunch: Bool
    private let byteCap: Int

    init(after lastSent: Int64, oneLaunch: Bool, byteCap: Int = .max) {
        lastID = lastSent
        self.oneLaunch = oneLaunch
        self.byteCap = byteCap
    }

    init(for stream: EventStream, byteCap: Int = .max) {
        self.init(after: stream.lastSent, oneLaunch: stream.launchID != nil, byteCap: byteCap)
    }

    /// Adds an event with its frame (the caller's: live delivery encodes each event once for all its streams);
    /// false once the batch takes no more.
    mutating func add(_ row: StoredEventRow, frame: [UInt8]) -> Bool {
        bytes += frame
        lastID = row.id
        if oneLaunch, row.endsLaunch {
            endsLaunch = true
            return false
        }
        return bytes.count < byteCap
    }
}
