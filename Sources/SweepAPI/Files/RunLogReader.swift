import Foundation
import SweepStates
import SweepStore
import Web

/// `GET /api/v1/launches/{id}/tasks/{run_id}/logs`: without `stream`, the run's log as before (stdout and stderr
/// of a container, stderr of a function, as one text); with `stream=stdout|stderr`, that stream only, as the run
/// wrote it (each capped at `RunLogStore.capCharacters`).
///
/// `follow=true` long-polls (DESIGN §3: parked, no thread held): the answer comes as soon as the stream has text
/// past `offset` (characters already read; default 0) or the run has ended, else after `wait` seconds (default 30,
/// at most 60) with nothing new. Headers say where to go on: `X-Sweep-Log-Offset` (the next `offset`) and
/// `X-Sweep-Log-Complete: true` once the run ended and everything was sent. `follow` without `stream` follows
/// `stderr` (where functions' prints go).
struct RunLogReader: Sendable {
    static let defaultWaitSeconds = 30
    static let maxWaitSeconds = 60

    let database: Database
    let parking: ParkedRequests?
    var logStreams: (any RunLogStreams)? = nil
    var limits = LimitDefaults()
    var admission = StreamAdmission()

    @Sendable func logs(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let launchID = try request.parameter("launch_id")
        let runName = try request.parameter("run_id")
        let stream = try Self.stream(request)
        let follow = try Self.flag(request, "follow")
        guard UUID(uuidString: launchID) != nil else { throw APIError.notFound("task run") }
        if !follow, stream == nil {
            guard let logs = try database.tenant(tenant.userID, { try LaunchStore($0).logs(launchID: launchID, runName: runName) }) else {
                throw APIError.notFound("task run")
            }
            return .text(logs ?? "")
        }
        let chosen = stream ?? .stderr
        let offset = try Self.integer(request, "offset", in: 0...Int(Int32.max)) ?? 0
        let wait = try Self.integer(request, "wait", in: 0...Self.maxWaitSeconds) ?? Self.defaultWaitSeconds
        let userID = tenant.userID
        let database = self.database
        if follow, let logStreams, request.header("accept")?.contains("text/event-stream") == true {
            return try sse(request, tenant, launchID: launchID, runName: runName, stream: chosen, offset: offset, streams: logStreams)
        }
        let read: @Sendable () throws -> RunLogStore.Read? = {
            try database.tenant(userID) { try RunLogStore.read($0, launchID: launchID, runName: runName, stream: chosen, offset: offset) }
        }
        guard let first = try read() else { throw APIError.notFound("task run") }
        let ended = !RunState.open.map(\.rawValue).contains(first.state)
        guard follow, !ended, first.text.isEmpty, let parking else { return Self.answer(first, offset: offset, follow: follow) }
        return try parking.park {
            ParkedRequest(
                channel: RunLogStore.channel, key: launchID, deadline: .now + .seconds(wait),
                check: {
                    guard let now = try read() else { throw APIError.notFound("task run") }
                    let ended = !RunState.open.map(\.rawValue).contains(now.state)
                    return ended || !now.text.isEmpty ? Self.answer(now, offset: offset, follow: true) : nil
                },
                timedOut: {
                    guard let now = try read() else { throw APIError.notFound("task run") }
                    return Self.answer(now, offset: offset, follow: true)
                })
        }
    }

    /// `follow=true` with `Accept: text/event-stream`: the log as SSE from the worker's hub (no thread held),
    /// `log` events as text arrives, then `end` with the run's state; a stream counts against `max_streams`.
    /// `Last-Event-ID` (the offset reached) resumes.
    private func sse(_ request: Request, _ tenant: Tenant, launchID: String, runName: String, stream: RunLogStream, offset: Int,
                     streams: any RunLogStreams) throws -> Response {
        var offset = offset
        if let text = request.header("last-event-id"), !text.isEmpty {
            guard let value = Int(text), value >= 0 else {
                throw APIError.badRequest("invalid_parameter", "Last-Event-ID must be a log offset", field: "Last-Event-ID")
            }
            offset = value
        }
        guard try database.tenant(tenant.userID, { try RunLogStore.read($0, launchID: launchID, runName: runName, stream: stream, offset: offset) }) != nil else {
            throw APIError.notFound("task run")
        }
        let maxStreams = try database.tenant(tenant.userID) { try UserLimitStore.find($0.connection, userID: $0.userID) }.effective(limits).maxStreams
        guard let ticket = admission.admit(tenant.userID, limit: maxStreams) else {
            throw LimitExceeded(.maxStreams, limit: Int64(maxStreams),
                "you have \(maxStreams) event streams open on this server, the most allowed (max_streams)").apiError
        }
        var response = streams.openLog(userID: tenant.userID, launchID: launchID, runName: runName, stream: stream, offset: offset)
        if let inner = response.stream { response.stream = StreamAdmission.AdmittedStream(inner: inner, ticket: ticket) }
        return response
    }

    static func answer(_ read: RunLogStore.Read, offset: Int, follow: Bool) -> Response {
        var response = Response.text(read.text)
        let ended = !RunState.open.map(\.rawValue).contains(read.state)
        response.setHeader("X-Sweep-Log-Offset", String(offset + read.text.unicodeScalars.count))
        response.setHeader("X-Sweep-Run-State", read.state)
        response.setHeader("X-Sweep-Log-Truncated", read.truncated ? "true" : "false")
        if follow { response.setHeader("X-Sweep-Log-Complete", ended ? "true" : "false") }
        response.setHeader("Cache-Control", "no-store")
        return response
    }

    static func stream(_ request: Request) throws(APIError) -> RunLogStream? {
        guard let text = request.query["stream"], !text.isEmpty else { return nil }
        guard let stream = RunLogStream(rawValue: text) else {
            throw APIError.badRequest("invalid_parameter", "stream must be stdout or stderr", field: "stream")
        }
        return stream
    }

    static func flag(_ request: Request, _ name: String) throws(APIError) -> Bool {
        switch request.query[name] {
        case nil, "", "false", "0": return false
        case "true", "1": return true
        default: throw APIError.badRequest("invalid_parameter", "\(name) must be true or false", field: name)
        }
    }

    static func integer(_ request: Request, _ name: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let text = request.query[name], !text.isEmpty else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw APIError.badRequest("invalid_parameter", "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)", field: name)
        }
        return value
    }
}
