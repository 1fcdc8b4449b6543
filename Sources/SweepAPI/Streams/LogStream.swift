import SweepJSON
import SweepStore
import Web

/// One client following a run's log as SSE (issue 16): the hub re-reads the run's text past `offset` when the
/// launch's NOTIFY arrives (and at its periodic recheck), sends it as `log` events, and `end` once the run ended.
final class LogStream: @unchecked Sendable {
    // @unchecked: after `attach`, only the hub thread touches the mutable fields.
    let userID: UserID
    let launchID: String
    let runName: String
    let stream: RunLogStream
    /// Characters already sent (the `id:` of each event, so a reconnecting client resumes with Last-Event-ID).
    var offset: Int
    let sink: any StreamSink
    var lastWrite: ContinuousClock.Instant

    init(userID: UserID, launchID: String, runName: String, stream: RunLogStream, offset: Int, sink: any StreamSink) {
        self.userID = userID
        self.launchID = launchID
        self.runName = runName
        self.stream = stream
        self.offset = offset
        self.sink = sink
        self.lastWrite = .now
    }

    func logFrame(_ text: String) -> [UInt8] {
        let data: JSONValue = ["stream": .string(stream.rawValue), "offset": .int(Int64(offset)), "text": .string(text)]
        return Array("id: \(offset + text.unicodeScalars.count)\nevent: log\ndata: ".utf8) + data.jsonBytes + Array("\n\n".utf8)
    }

    func endFrame(state: String) -> [UInt8] {
        let data: JSONValue = ["state": .string(state), "offset": .int(Int64(offset))]
        return Array("id: \(offset)\nevent: end\ndata: ".utf8) + data.jsonBytes + Array("\n\n".utf8)
    }
}

/// Opens live log streams (implemented by the SSE hub of the worker).
public protocol RunLogStreams: Sendable {
    func openLog(userID: UserID, launchID: String, runName: String, stream: RunLogStream, offset: Int) -> Response
}
