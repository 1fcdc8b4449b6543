import Foundation
import Glibc
import Logging
import Postgres
import SweepJSON
import SweepStore
import SweepStates
import Synchronization
import Web

/// Serves every SSE stream of this worker from one thread and one LISTEN connection. A waiting stream costs a file
/// descriptor and a few hundred bytes, never a request thread or a database connection; a slow or dead client is
/// dropped (it resumes with Last-Event-ID) and never holds up the others.
public final class EventStreamHub: EventStreams, RunLogStreams, Sendable {
    static let heartbeatInterval: Duration = .seconds(15)
    static let fetchLimit = 2000
    /// A replay writes at most about this much per stream per turn of the hub loop, and only when the client can
    /// take it without blocking (`StreamSink.canTakeMore`): a long history (a 100,000-run launch has 100,000+
    /// events) then flows as fast as the client reads, without holding the thread that serves every other stream
    /// and without dropping the client as too slow, which made it reconnect and start again.
    static let replayBatchBytes = 32 * 1024
    /// Rows read per replay batch (small events: `replayBatchBytes` usually ends a batch first).
    static let replayBatchRows = 500
    static let idleFetchMilliseconds: Int32 = 100
    static let idleFetchInterval = Duration.milliseconds(idleFetchMilliseconds)

    let url: String
    let logger: Logger
    private let incoming = Mutex<[EventStream]>([])
    private let incomingLogs = Mutex<[LogStream]>([])
    private let stopping = Atomic<Bool>(false)
    private let wakePipe = WakePipe()
    private let finished = DispatchSemaphore(value: 0)

    public init(url: String, logger: Logger) {
        self.url = url
        self.logger = logger
    }

    public func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "sse-hub"
        thread.start()
    }

    /// Ends every stream and the hub thread.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        wake()
        finished.wait()
    }

    // MARK: EventStreams

    public func open(userID: UserID, launchID: String?, after: Int64) -> Response {
        .streaming(HubStream(hub: self, userID: userID, launchID: launchID, after: after), headers: [
            ("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-cache"),
            ("X-Accel-Buffering", "no"),
        ])
    }

    struct HubStream: ResponseStream {
        let hub: EventStreamHub
        let userID: UserID
        let launchID: String?
        let after: Int64
        func attach(_ sink: any StreamSink) {
            hub.add(EventStream(userID: userID, launchID: launchID, after: after, sink: sink))
        }
    }

    // MARK: RunLogStreams

    public func openLog(userID: UserID, launchID: String, runName: String, stream: RunLogStream, offset: Int) -> Response {
        .streaming(HubLogStream(hub: self, userID: userID, launchID: launchID, runName: runName, stream: stream, offset: offset), headers: [
            ("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-cache"),
            ("X-Accel-Buffering", "no"),
        ])
    }

    struct HubLogStream: ResponseStream {
        let hub: EventStreamHub
        let userID: UserID
        let launchID: String
        let runName: String
        let stream: RunLogStream
        let offset: Int
        func attach(_ sink: any StreamSink) {
            hub.incomingLogs.withLock { $0.append(LogStream(userID: userID, launchID: launchID, runName: runName, stream: stream, offset: offset, sink: sink)) }
            hub.wake()
        }
    }

    func add(_ stream: EventStream) {
        incoming.withLock { $0.append(stream) }
        wake()
    }

    private func wake() { wakePipe.wake() }

    private func drainWake() { wakePipe.drain() }

    // MARK: The hub thread

    private func run() {
        var streams: [ObjectIdentifier: EventStream] = [:]
        var logStreams: [ObjectIdentifier: LogStream] = [:]
        // Kept across reconnects: after PostgreSQL restarts, the hub reads on from the last event it took in, so
        // open streams get what was written meanwhile (no gap) and nothing twice (each stream's `lastSent`).
        var cursor: EventCursor? = nil
        var backoff = ReconnectBackoff()
        while !stopping.load(ordering: .acquiring) {
            do {
                let listener = try PostgresListener(url: url, applicationName: "sweep-sse-hub")
                try listener.listen(EventWriter.channel)
                let connection = try PostgresConnection(url: url, applicationName: "sweep-sse-hub", role: Database.systemRole)
                if cursor == nil {
                    cursor = EventCursor(start: try connection.query("SELECT coalesce(max(id), 0) AS id FROM events")[0].decode(Int64.self, column: "id"))
                } else {
                    // Rows held behind a gap are read again in full by the next fetch.
                    cursor?.forgetPending()
                }
                if backoff.failures > 0 { logger.info("event hub reconnected", metadata: ["after_failures": "\(backoff.failures)"]) }
                backoff.succeeded()
                var lastHeartbeat = ContinuousClock.now
                // Launches whose NOTIFY came since log streams were last read (log appends and run ends share it).
                var logLaunches: Set<String> = []
                var dirty = true
                var lastFetch = ContinuousClock.now - Self.idleFetchInterval
                while !stopping.load(ordering: .acquiring) {
                    for stream in incoming.withLock({ list -> [EventStream] in defer { list.removeAll() }; return list }) {
                        // Events held back behind a gap may be placeholders (read while no stream was open): read
                        // them again, in full, with the next fetch.
                        cursor?.forgetPending()
                        dirty = true
                        streams[ObjectIdentifier(stream)] = stream
                    }
                    // New streams, and those whose history did not fit one turn: one batch each.
                    var replaying = false
                    for stream in Array(streams.values) where stream.catchingUp {
                        replay(stream, upTo: cursor?.contiguous ?? 0, connection: connection, streams: &streams)
                        if stream.catchingUp, streams[ObjectIdentifier(stream)] != nil { replaying = true }
                    }
                    // With no stream open, the cursor only has to keep up, not deliver: read at most every
                    // `idleFetchInterval` rather than on every NOTIFY (three per task run: the hub's work would
                    // land on the scheduler's critical path on a two-core machine).
                    let due = !streams.isEmpty || ContinuousClock.now - lastFetch >= Self.idleFetchInterval
                    if dirty && due {
                        dirty = false
                        lastFetch = ContinuousClock.now
                        let rows = try fetch(after: cursor?.contiguous ?? 0, full: !streams.isEmpty, connection: connection)
                        if rows.count == Self.fetchLimit { dirty = true }
                        deliver(cursor?.accept(rows, now: .now) ?? [], to: &streams)
                        if cursor?.isWaitingOnGap == true { dirty = true }
                    }
                    for stream in incomingLogs.withLock({ list -> [LogStream] in defer { list.removeAll() }; return list }) {
                        logStreams[ObjectIdentifier(stream)] = stream
                        guard stream.sink.write(Array(": connected\n\n".utf8)) else { logStreams[ObjectIdentifier(stream)] = nil; stream.sink.close(); continue }
                        pump(stream, connection: connection, streams: &logStreams)
                    }
                    if !logLaunches.isEmpty {
                        for stream in Array(logStreams.values) where logLaunches.contains(stream.launchID) {
                            pump(stream, connection: connection, streams: &logStreams)
                        }
                        logLaunches.removeAll()
                    }
                    let now = ContinuousClock.now
                    if now - lastHeartbeat >= .seconds(1) {
                        heartbeat(&streams, now: now)
                        // The fallback for a NOTIFY missed (e.g. across a reconnect): every log stream is re-read.
                        for stream in Array(logStreams.values) { pump(stream, connection: connection, streams: &logStreams) }
                        lastHeartbeat = now
                    }
                    // Sleep on the LISTEN socket and the wake pipe.
                    var fds = [pollfd(fd: listener.socket, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: wakePipe.readFD, events: Int16(POLLIN), revents: 0)]
                    let timeout: Int32 = replaying ? 5 : dirty ? (streams.isEmpty ? Self.idleFetchMilliseconds : 20) : 1000
                    _ = poll(&fds, 2, timeout)
                    if fds[1].revents != 0 { drainWake() }
                    let notifications = try listener.pendingNotifications()
                    if !notifications.isEmpty { dirty = true }
                    if !logStreams.isEmpty { for notification in notifications { logLaunches.insert(notification.payload) } }
                }
            } catch {
                if backoff.failures == 0 {
                    logger.warning("event hub lost its database connection; reconnecting", metadata: ["error": "\(error)"])
                }
                // Streams stay open meanwhile (their clients see heartbeats again once it is back).
                backoff.pause()
            }
        }
        for stream in streams.values { stream.sink.close() }
        for stream in incoming.withLock({ $0 }) { stream.sink.close() }
        for stream in logStreams.values { stream.sink.close() }
        for stream in incomingLogs.withLock({ $0 }) { stream.sink.close() }
    }

    /// A new stream first gets what it missed (after its Last-Event-ID) up to what the hub has delivered so far,
    /// one batch of at most `replayBatchBytes` per call, sent only when the client can take it; later events reach
    /// it through `deliver` once it has caught up (`catchingUp` false).
    private func replay(_ stream: EventStream, upTo limit: Int64, connection: PostgresConnection, streams: inout [ObjectIdentifier: EventStream]) {
        do {
            if stream.lastSent < limit {
                // A client that cannot take more right now waits for its next turn (the heartbeat sweep closes one
                // that hung up); it is not dropped as too slow while its history is still coming.
                guard stream.sink.canTakeMore else { return }
                // Planned on each execution: the cached generic plan of this statement walked the primary key
                // through every user's events in the range and filtered by user (`id > $2 AND id <= $3` looks
                // selective to a generic plan), 26-58 ms per stream opened once the table held 120,000 events of
                // other users, so opening 2,000 streams after a large launch took 47 s. With the values, the
                // planner takes (user_id, id), or (launch_id, id) for a launch's stream: 0.08 ms.
                let rows = try connection.query(("""
                    SELECT id, user_id, launch_id::text AS launch_id, type, data::text AS data FROM events
                    WHERE user_id = \(stream.userID) AND id > \(stream.lastSent) AND id <= \(limit)
                      AND (\(stream.launchID == nil) OR launch_id = \(stream.launchID ?? "00000000-0000-0000-0000-000000000000")::uuid)
                    ORDER BY id LIMIT \(Self.replayBatchRows)
                    """ as PostgresQuery).plannedEachTime()).map(Self.decode)
                var batch = EventBatch(for: stream, byteCap: Self.replayBatchBytes)
                for row in rows {
                    guard batch.add(row, frame: row.frame) else { break }
                }
                if !batch.bytes.isEmpty {
                    guard stream.sink.write(batch.bytes) else { return close(stream, streams: &streams) }
                    stream.lastWrite = .now
                }
                if batch.endsLaunch { return close(stream, streams: &streams) }
                // Fewer rows than asked and all of them sent (or none): nothing this stream wants is left up to `limit`.
                let last = batch.lastID
                let allSent = rows.count < Self.replayBatchRows && last == (rows.last?.id ?? last)
                stream.lastSent = allSent ? max(last, limit) : last
                if stream.lastSent < limit { return }
            }
            stream.catchingUp = false
            // A launch that already ended: the stream ends once its history is sent.
            if let launchID = stream.launchID {
                let ended = try connection.query("SELECT state FROM launches WHERE id = \(launchID)::uuid AND state IN \(unsafeSQL: LaunchState.sqlList(LaunchState.terminal))")
                if !ended.isEmpty, try connection.query("SELECT 1 AS one FROM events WHERE launch_id = \(launchID)::uuid AND id > \(stream.lastSent)").isEmpty {
                    return close(stream, streams: &streams)
                }
            }
            if !stream.sink.write(Array(": connected\n\n".utf8)) { close(stream, streams: &streams) }
        } catch {
            logger.warning("event replay failed", metadata: ["error": "\(error)"])
            close(stream, streams: &streams)
        }
    }

    /// Events after `id`; only their ids when no stream is open (`full` false): the cursor needs nothing more.
    private func fetch(after id: Int64, full: Bool, connection: PostgresConnection) throws -> [StoredEventRow] {
        guard full else {
            return try connection.query("SELECT id FROM events WHERE id > \(id) ORDER BY id LIMIT \(Self.fetchLimit)")
                .map { StoredEventRow.placeholder(id: try $0.decode(Int64.self, column: "id")) }
        }
        return try connection.query("""
            SELECT id, user_id, launch_id::text AS launch_id, type, data::text AS data FROM events
            WHERE id > \(id) ORDER BY id LIMIT \(Self.fetchLimit)
            """).map(Self.decode)
    }

    static func decode(_ row: PostgresRow) throws -> StoredEventRow {
        StoredEventRow(
            id: try row.decode(Int64.self, column: "id"), userID: UserID(try row.decode(Int64.self, column: "user_id")),
            launchID: try row.decode(String.self, column: "launch_id"), type: try row.decode(String.self, column: "type"),
            data: Array(try row.decode(String.self, column: "data").utf8))
    }

    private func deliver(_ rows: [StoredEventRow], to streams: inout [ObjectIdentifier: EventStream]) {
        guard !rows.isEmpty else { return }
        // Measured with 2,000 streams (make bench, SSE section): each event reaches every stream of its user, so
        // encode its frame once, not once per stream (`frame` serializes the JSON), and give each stream all of
        // its new events in one write: one poll() + one write() per stream per fetch instead of per event.
        let frames = rows.map(\.frame)
        for stream in Array(streams.values) where !stream.catchingUp {
            var batch = EventBatch(for: stream)
            for (index, row) in rows.enumerated() where stream.wants(row) {
                guard batch.add(row, frame: frames[index]) else { break }
            }
            guard !batch.bytes.isEmpty else { continue }
            guard stream.sink.write(batch.bytes) else { close(stream, streams: &streams); continue }
            stream.lastSent = batch.lastID
            stream.lastWrite = .now
            if batch.endsLaunch { close(stream, streams: &streams) }
        }
    }

    /// Sends a log stream the run's text past its offset, then `end` (and closes it) once the run has ended. Text
    /// and state come from one statement, so text written before the end is never missed.
    private func pump(_ stream: LogStream, connection: PostgresConnection, streams: inout [ObjectIdentifier: LogStream]) {
        guard !stream.sink.isClosedByPeer else { return closeLog(stream, streams: &streams) }
        do {
            guard let read = try RunLogStore.read(connection, userID: stream.userID, launchID: stream.launchID, runName: stream.runName,
                                                  stream: stream.stream, offset: stream.offset) else { return closeLog(stream, streams: &streams) }
            var bytes: [UInt8] = []
            if !read.text.isEmpty {
                bytes += stream.logFrame(read.text)
                stream.offset += read.text.unicodeScalars.count
            }
            let ended = !RunState.open.map(\.rawValue).contains(read.state)
            if ended { bytes += stream.endFrame(state: read.state) }
            let now = ContinuousClock.now
            if bytes.isEmpty, now - stream.lastWrite >= Self.heartbeatInterval { bytes = Array(": heartbeat\n\n".utf8) }
            if !bytes.isEmpty {
                guard stream.sink.write(bytes) else { return closeLog(stream, streams: &streams) }
                stream.lastWrite = now
            }
            if ended { closeLog(stream, streams: &streams) }
        } catch {
            logger.warning("log stream read failed", metadata: ["error": "\(error)"])
            closeLog(stream, streams: &streams)
        }
    }

    private func closeLog(_ stream: LogStream, streams: inout [ObjectIdentifier: LogStream]) {
        streams[ObjectIdentifier(stream)] = nil
        stream.sink.close()
    }

    private func heartbeat(_ streams: inout [ObjectIdentifier: EventStream], now: ContinuousClock.Instant) {
        for stream in Array(streams.values) {
            if stream.sink.isClosedByPeer {
                close(stream, streams: &streams)
            } else if now - stream.lastWrite >= Self.heartbeatInterval {
                if stream.sink.write(Array(": heartbeat\n\n".utf8)) { stream.lastWrite = now } else { close(stream, streams: &streams) }
            }
        }
    }

    private func close(_ stream: EventStream, streams: inout [ObjectIdentifier: EventStream]) {
        streams[ObjectIdentifier(stream)] = nil
        stream.sink.close()
    }
}
