import Foundation
import Glibc
import Logging
import Postgres
import Synchronization
import Web

/// Holds every parked request of this worker on one thread and one LISTEN connection, like the SSE hub holds
/// streams: a waiting request costs a file descriptor and a few hundred bytes, never a request thread or a database
/// connection. A NOTIFY wakes the requests keyed to it; each one whose deadline passes answers by itself. At most
/// `capacity` wait at once; `park` answers 429 beyond that.
public final class ParkedRequests: Sendable {
    // 1,000 foreground `/call`s must wait at once beside `wait` launches; every parked request is also checked
    // again every `recheckInterval` (one short transaction each), which bounds how many one thread should hold.
    public static let defaultCapacity = 2_000
    /// NOTIFY is an accelerator (DESIGN §8): every parked request is checked again this often anyway, so a
    /// notification lost in a reconnect delays an answer by at most this much.
    public static let recheckInterval: Duration = .seconds(5)
    /// How often requests whose client hung up are looked for.
    static let hangUpInterval: Duration = .seconds(1)
    /// How long the keys of notifications read are remembered: a request parked on a channel already listened to
    /// is checked at once only when its key was notified meanwhile (`serve`), which needs every notification
    /// since it parked; older requests are checked at once as before.
    static let recentWindow: Duration = .seconds(5)
    /// How many checks run at once when several requests are woken together: each is a short transaction whose
    /// time is mostly round trips, and one thread checking 64 calls' launches in turn was what held them back.
    /// Two, within the two connections the worker's pool has beyond its request threads.
    static let checkWidth = 2

    let url: String
    let capacity: Int
    /// `recheckInterval` unless configured (`SWEEP_PARKED_RECHECK_MS`; tests lengthen it to see what notifications
    /// alone do).
    let sweepInterval: Duration
    let logger: Logger
    private let incoming = Mutex<[Entry]>([])
    /// Parked or about to be: counts against `capacity` from `park` until answered.
    private let count = Atomic<Int>(0)
    /// Held by the registry thread right now (registered, not yet answered): `/metrics`' `sweep_parked_requests`.
    private let registered = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let wakePipe = WakePipe()
    private let finished = DispatchSemaphore(value: 0)

    public init(url: String, capacity: Int = ParkedRequests.defaultCapacity, logger: Logger,
                sweepInterval: Duration = ParkedRequests.recheckInterval) {
        precondition(capacity > 0, "a registry holds at least one request")
        self.url = url
        self.capacity = capacity
        self.sweepInterval = sweepInterval
        self.logger = logger
    }

    public func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "parked-requests"
        thread.start()
    }

    /// Answers every parked request now (as at its deadline) and ends the thread.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        wake()
        finished.wait()
    }

    /// How many requests wait right now.
    public var parkedCount: Int { count.load(ordering: .relaxed) }

    /// How many of them the registry holds (checked once and waiting for a notification or their deadline).
    public var registeredCount: Int { registered.load(ordering: .relaxed) }

    /// The response that parks the request `prepare` makes; a 429, before `prepare` runs, when `capacity` requests
    /// wait already. What `prepare` throws is thrown (and frees the place).
    public func park(_ prepare: () throws -> ParkedRequest) throws -> Response {
        guard count.add(1, ordering: .relaxed).newValue <= capacity else {
            count.subtract(1, ordering: .relaxed)
            throw APIError(
                status: .tooManyRequests, code: "too_many_waiting",
                message: "\(capacity) requests are waiting on this server already; retry without wait, or later",
                extraHeaders: [("Retry-After", "1")])
        }
        // Before `prepare`, which may start what the request waits for (a launch): a notification about it can only
        // come after this instant.
        let since = ContinuousClock.now
        do {
            return .parked(Attachment(registry: self, request: try prepare(), since: since))
        } catch {
            count.subtract(1, ordering: .relaxed)
            throw error
        }
    }

    /// What a parked request's `check` answers when its answer is a second wait (a `/call` whose interceptor
    /// accepted waits for its launch next): the connection moves to `request`, keeping its place (no 429).
    public func continued(_ request: ParkedRequest) -> Response {
        count.add(1, ordering: .relaxed)
        return .parked(Attachment(registry: self, request: request, since: .now))
    }

    struct Attachment: ResponseStream {
        let registry: ParkedRequests
        let request: ParkedRequest
        let since: ContinuousClock.Instant
        func attach(_ sink: any StreamSink) {
            registry.incoming.withLock { $0.append(Entry(request: request, sink: sink, since: since)) }
            registry.wake()
        }
    }

    final class Entry: @unchecked Sendable {
        // @unchecked: handed over once through `incoming`; afterwards only the registry thread touches it (and,
        // during `checkAll`, one checking thread its `request.check`).
        let request: ParkedRequest
        let sink: any StreamSink
        /// When `park` began, before what the request waits for was started.
        let since: ContinuousClock.Instant
        /// Single-wake waiters of a key are woken oldest first.
        let arrived = ContinuousClock.now
        init(request: ParkedRequest, sink: any StreamSink, since: ContinuousClock.Instant) {
            self.request = request
            self.sink = sink
            self.since = since
        }
    }

    private func wake() { wakePipe.wake() }

    private func drainWake() { wakePipe.drain() }

    // MARK: The registry thread

    private func run() {
        var entries: [ObjectIdentifier: Entry] = [:]
        var backoff = ReconnectBackoff()
        while !stopping.load(ordering: .acquiring) {
            var listener: PostgresListener? = nil
            do {
                listener = try PostgresListener(url: url, applicationName: "sweep-parked-requests")
                backoff.succeeded()
            } catch {
                if backoff.failures == 0 { logger.warning("parked requests: cannot listen; retrying", metadata: ["error": "\(error)"]) }
            }
            // Without a listener (the database is down) requests still time out on time, and are checked again
            // once it is back.
            do {
                try serve(&entries, listener: listener)
            } catch {
                logger.warning("parked requests lost their database connection; reconnecting", metadata: ["error": "\(error)"])
            }
            if !stopping.load(ordering: .acquiring) {
                if listener == nil { pauseServing(&entries, for: backoff.failed()) } else { backoff.succeeded() }
            }
        }
        for entry in entries.values { answer(entry, at: .now, entries: &entries) }
        for entry in incoming.withLock({ list -> [Entry] in defer { list.removeAll() }; return list }) {
            entries[ObjectIdentifier(entry)] = entry
            answer(entry, at: .now, entries: &entries)
        }
    }

    /// Serves until the listener breaks (throws) or the registry stops; with no listener, only until the next
    /// retry is due.
    private func serve(_ entries: inout [ObjectIdentifier: Entry], listener: PostgresListener?) throws {
        /// Each channel listened to on this connection, and when its LISTEN had taken effect.
        var channels: [String: ContinuousClock.Instant] = [:]
        /// The keys ("channel\u{1}payload") notified on this connection within `recentWindow`, and when read.
        var recent: [String: ContinuousClock.Instant] = [:]
        var lastPrune = ContinuousClock.now
        var lastRecheck = ContinuousClock.now
        var lastHangUpCheck = ContinuousClock.now
        // Everything parked so far is checked once the listener is up: notifications sent while none listened
        // are lost.
        var recheckAll = listener != nil
        // When each single-wake key (channel and payload) was last notified: a waiter registered after a
        // notification it may have missed takes at once (`SingleWake.since`). Pruned with every re-check sweep.
        var singleChannels: Set<String> = []
        var lastNotified: [String: ContinuousClock.Instant] = [:]
        while !stopping.load(ordering: .acquiring) {
            var arrived: [Entry] = []
            for entry in incoming.withLock({ list -> [Entry] in defer { list.removeAll() }; return list }) {
                entries[ObjectIdentifier(entry)] = entry
                let channel = entry.request.channel
                // What the request waits for began after it parked, on a channel listened to since before, with every
                // notification since remembered: it needs a check now only if its key was notified meanwhile (a
                // launch that ended before it was attached); otherwise its notification is still to come. This saves
                // a transaction per `/call`.
                if entry.request.startedHere, let listenedAt = channels[channel], listenedAt < entry.since,
                   ContinuousClock.now - entry.since < Self.recentWindow, let key = entry.request.key, recent["\(channel)\u{1}\(key)"] == nil {
                    continue
                }
                // LISTEN before the first check, so an end between the check and the LISTEN cannot be missed.
                if let listener, channels[channel] == nil {
                    try listener.listen(channel)
                    channels[channel] = .now
                }
                if let single = entry.request.singleWake, let key = entry.request.key {
                    singleChannels.insert(channel)
                    if let notified = lastNotified["\(channel)\u{1}\(key)"], notified >= single.since {
                        _ = take(entry, entries: &entries)
                        continue
                    }
                }
                arrived.append(entry)
            }
            checkAll(arrived, entries: &entries)
            // Counted once checked: a request counted here waits for a notification or its deadline.
            registered.store(entries.count, ordering: .relaxed)
            if recheckAll, let listener {
                for channel in Set(entries.values.map(\.request.channel)) where channels[channel] == nil {
                    try listener.listen(channel)
                    channels[channel] = .now
                }
                checkAll(Array(entries.values), entries: &entries)
                recheckAll = false
                lastRecheck = .now
                lastNotified = lastNotified.filter { lastRecheck - $0.value < Self.recheckInterval }
            }
            let now = ContinuousClock.now
            for entry in Array(entries.values) where entry.request.deadline <= now { answer(entry, at: now, entries: &entries) }
            if now - lastHangUpCheck >= Self.hangUpInterval {
                for entry in Array(entries.values) where entry.sink.isClosedByPeer { drop(entry, entries: &entries) }
                lastHangUpCheck = now
            }
            if now - lastRecheck >= sweepInterval { recheckAll = true }
            guard let listener else { return }

            let nearest = entries.values.map(\.request.deadline).min().map { max(.zero, $0 - now) } ?? .seconds(1)
            let timeout = min(nearest, Self.hangUpInterval)
            var fds = [pollfd(fd: listener.socket, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakePipe.readFD, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 2, Int32(clamping: timeout.milliseconds + 1))
            if fds[1].revents != 0 { drainWake() }
            let notifications = try listener.pendingNotifications()
            let read = ContinuousClock.now
            if read - lastPrune >= Self.recentWindow {
                recent = recent.filter { read - $0.value < Self.recentWindow }
                lastPrune = read
            }
            guard !notifications.isEmpty else { continue }
            // How many notifications each key got: PostgreSQL folds identical ones of one transaction, so each is
            // a transaction that made work (for single-wake keys: one waiter to wake, at least).
            var counts: [String: Int] = [:]
            for notification in notifications {
                let key = "\(notification.channel)\u{1}\(notification.payload)"
                counts[key, default: 0] += 1
                recent[key] = read
                if singleChannels.contains(notification.channel) { lastNotified[key] = read }
            }
            let wildcards = Set(notifications.map(\.channel))
            var singles: [String: [Entry]] = [:]
            var woken: [Entry] = []
            for entry in entries.values {
                let request = entry.request
                if request.singleWake != nil, let key = request.key {
                    let full = "\(request.channel)\u{1}\(key)"
                    if counts[full] != nil { singles[full, default: []].append(entry) }
                    continue
                }
                if request.key.map({ counts["\(request.channel)\u{1}\($0)"] != nil }) ?? wildcards.contains(request.channel) {
                    woken.append(entry)
                }
            }
            checkAll(woken, entries: &entries)
            for (key, waiters) in singles {
                // One waiter per notification, oldest first; one that took work and says more is left hands on to
                // the next; one that found nothing ends the round (the work went elsewhere).
                var due = counts[key] ?? 0
                for entry in waiters.sorted(by: { $0.arrived < $1.arrived }) {
                    guard due > 0 else { break }
                    due -= 1
                    switch take(entry, entries: &entries) {
                    case .nothing: due = 0
                    case .took(let workLeft): if workLeft { due += 1 }
                    }
                }
            }
        }
    }

    /// While the database is down: answer deadlines and take new requests for `pause`, then try again.
    private func pauseServing(_ entries: inout [ObjectIdentifier: Entry], for pause: Duration) {
        let until = ContinuousClock.now + pause
        while !stopping.load(ordering: .acquiring), ContinuousClock.now < until {
            for entry in incoming.withLock({ list -> [Entry] in defer { list.removeAll() }; return list }) {
                entries[ObjectIdentifier(entry)] = entry
                registered.store(entries.count, ordering: .relaxed)
            }
            let now = ContinuousClock.now
            for entry in Array(entries.values) where entry.request.deadline <= now { answer(entry, at: now, entries: &entries) }
            var fd = pollfd(fd: wakePipe.readFD, events: Int16(POLLIN), revents: 0)
            _ = poll(&fd, 1, Int32(clamping: min(until - now, .milliseconds(100)).milliseconds + 1))
            if fd.revents != 0 { drainWake() }
        }
    }

    /// Checks `batch`, up to `checkWidth` at once, and answers those that are ready.
    private func checkAll(_ batch: [Entry], entries: inout [ObjectIdentifier: Entry]) {
        guard batch.count > 1 else {
            for entry in batch { finish(entry, checked: Result { try entry.request.check() }, entries: &entries) }
            return
        }
        let results = CheckResults(count: batch.count)
        let width = min(Self.checkWidth, batch.count)
        DispatchQueue.concurrentPerform(iterations: width) { lane in
            for index in stride(from: lane, to: batch.count, by: width) {
                results.set(index, Result { try batch[index].request.check() })
            }
        }
        for (index, entry) in batch.enumerated() { finish(entry, checked: results.get(index), entries: &entries) }
    }

    private func finish(_ entry: Entry, checked: Result<Response?, any Error>, entries: inout [ObjectIdentifier: Entry]) {
        switch checked {
        case .success(let response?): finish(entry, with: response, entries: &entries)
        case .success(nil): break
        case .failure(let error):
            // The database is away: keep waiting; the deadline still answers.
            logger.warning("parked request check failed", metadata: ["error": "\(error)"])
        }
    }

    /// The answers of one `checkAll`, each slot written by one checking thread.
    private final class CheckResults: @unchecked Sendable {
        // @unchecked: every access holds `lock`.
        private let lock = NSLock()
        private var results: [Result<Response?, any Error>]
        init(count: Int) { results = Array(repeating: .success(nil), count: count) }
        func set(_ index: Int, _ result: Result<Response?, any Error>) { lock.withLock { results[index] = result } }
        func get(_ index: Int) -> Result<Response?, any Error> { lock.withLock { results[index] } }
    }

    enum TakeResult { case nothing, took(workLeft: Bool) }

    /// Wakes a single-wake waiter: it answers if its `take` found work.
    private func take(_ entry: Entry, entries: inout [ObjectIdentifier: Entry]) -> TakeResult {
        guard let single = entry.request.singleWake else { return .nothing }
        do {
            let taken = try single.take()
            guard let response = taken.response else { return .nothing }
            finish(entry, with: response, entries: &entries)
            return .took(workLeft: taken.workLeft)
        } catch {
            logger.warning("parked request take failed", metadata: ["error": "\(error)"])
            return .nothing
        }
    }

    private func answer(_ entry: Entry, at now: ContinuousClock.Instant, entries: inout [ObjectIdentifier: Entry]) {
        // One last look: it may have ended since the last notification.
        if let response = try? entry.request.check() { return finish(entry, with: response, entries: &entries) }
        let response: Response
        do {
            response = try entry.request.timedOut()
        } catch {
            response = APIError(
                status: .serviceUnavailable, code: "database_unavailable",
                message: "the database cannot be reached right now; retry shortly", extraHeaders: [("Retry-After", "1")]
            ).response
        }
        finish(entry, with: response, entries: &entries)
    }

    private func finish(_ entry: Entry, with response: Response, entries: inout [ObjectIdentifier: Entry]) {
        if response.isParked, let next = response.stream {
            // `continued`: the same connection waits again, on the next request; this place is given back.
            guard entries.removeValue(forKey: ObjectIdentifier(entry)) != nil else { return }
            count.subtract(1, ordering: .relaxed)
            return next.attach(entry.sink)
        }
        entry.sink.respond(response)
        drop(entry, entries: &entries)
    }

    private func drop(_ entry: Entry, entries: inout [ObjectIdentifier: Entry]) {
        guard entries.removeValue(forKey: ObjectIdentifier(entry)) != nil else { return }
        registered.store(entries.count, ordering: .relaxed)
        entry.sink.close()
        count.subtract(1, ordering: .relaxed)
    }
}

extension Duration {
    /// Whole milliseconds, rounded down (poll timeouts).
    var milliseconds: Int64 {
        let (seconds, atto) = components
        return seconds * 1000 + atto / 1_000_000_000_000_000
    }
}
