import CCurl
import Synchronization

/// Many HTTP exchanges in flight on one thread, over libcurl's multi interface: submit requests tagged with your own
/// id, then call `poll` in a loop to collect the finished ones.
///
/// Connections are pooled per host and kept alive across requests (`maxHostConnections` at most per host; further
/// requests queue inside libcurl until one frees, and their timeout runs while they wait). Response bodies are kept
/// up to `maxBodyBytes` each so a huge answer cannot exhaust memory.
///
/// Not Sendable: one thread owns it and calls `submit`, `cancel` and `poll`. Another thread talks to it through
/// `remote`, which can wake a blocked `poll` and cancel requests by id.
public final class HTTPMultiClient<ID: Hashable & Sendable> {
    public typealias Completion = (id: ID, result: Result<HTTPResponse, HTTPClientError>)

    /// The thread-safe side of an `HTTPMultiClient`: wake its `poll`, cancel by id.
    public final class Remote: Sendable {
        private let multi: MultiHandle
        private let state = Mutex(RemoteState())

        fileprivate init(multi: MultiHandle) { self.multi = multi }

        /// Makes a `poll` blocked on another thread return now (or the next `poll` return at once), for example
        /// because new work was queued for that thread.
        public func wakeUp() {
            state.withLock { $0.woken = true }
            multi.wakeUp()
        }

        /// Asks the owning thread to abort request `id`; its `poll` reports it `.aborted` (unless it finished
        /// first) and returns promptly.
        public func cancel(_ id: ID) {
            state.withLock { $0.cancels.append(id) }
            multi.wakeUp()
        }

        fileprivate func take() -> RemoteState {
            state.withLock { state in
                defer { state = RemoteState() }
                return state
            }
        }
    }

    fileprivate struct RemoteState: Sendable {
        var woken = false
        var cancels: [ID] = []
    }

    /// One request in flight: the handle it runs on (which holds what must live until it ends).
    private struct Transfer {
        let id: ID
        let easy: EasyHandle
    }

    public let maxBodyBytes: Int
    public let remote: Remote
    private let multi: MultiHandle
    private var transfers: [UnsafeMutableRawPointer: Transfer] = [:]
    private var handleByID: [ID: UnsafeMutableRawPointer] = [:]
    /// Finished easy handles kept for the next requests (saves an allocation and keeps their caches warm).
    private var idleHandles: [EasyHandle] = []
    private let maxIdleHandles: Int
    /// Completions decided outside libcurl (cancels, refused requests), returned by the next `poll`.
    private var ready: [Completion] = []

    /// - Parameters:
    ///   - maxHostConnections: connections open at once to one host (`CURLMOPT_MAX_HOST_CONNECTIONS`). Match it to
    ///     what the upstream serves well; the default suits a local nginx.
    ///   - maxBodyBytes: bytes of each response body kept; the rest is not read.
    public init(maxHostConnections: Int = 64, maxBodyBytes: Int = 1 << 20) {
        precondition(maxHostConnections > 0 && maxBodyBytes >= 0)
        self.maxBodyBytes = maxBodyBytes
        maxIdleHandles = max(64, maxHostConnections * 4)
        multi = MultiHandle()
        remote = Remote(multi: multi)
        multi.set(CURLMOPT_MAX_HOST_CONNECTIONS, maxHostConnections)
        // The idle-connection cache must hold every per-host connection, or keep-alive is lost at high rate.
        multi.set(CURLMOPT_MAXCONNECTS, maxHostConnections * 2)
    }

    deinit {
        // libcurl: remove every easy handle before curl_multi_cleanup (MultiHandle.deinit, possibly later).
        for raw in transfers.keys { curl_multi_remove_handle(multi.raw, raw) }
    }

    /// Requests submitted and not yet returned by `poll`.
    public var inFlightCount: Int { transfers.count + ready.count }

    /// Starts `request`. Its outcome, success or failure, comes back from `poll` tagged with `id`.
    /// `id` must not belong to a request still in flight.
    // Specialised for the scheduler's Int64 ids: its per-call path otherwise runs generic code across modules
    // (metadata lookups, dictionary work through witness tables), a visible share of a task call's CPU.
    @_specialize(where ID == Int64)
    public func submit(_ request: HTTPRequest, id: ID) {
        precondition(handleByID[id] == nil, "HTTPMultiClient.submit: id \(id) is already in flight")
        let easy = idleHandles.popLast() ?? EasyHandle()
        do {
            try easy.prepare(request, maxBodyBytes: maxBodyBytes)
        } catch {
            ready.append((id, .failure(error)))
            recycle(easy)
            return
        }
        let added = curl_multi_add_handle(multi.raw, easy.raw)
        guard added == CURLM_OK else {
            let message = "curl_multi_add_handle: \(String(cString: curl_multi_strerror(added)))"
            ready.append((id, .failure(HTTPClientError(code: .other, message: message))))
            recycle(easy)
            return
        }
        transfers[easy.raw] = Transfer(id: id, easy: easy)
        handleByID[id] = easy.raw
    }

    /// Aborts request `id` if it is in flight: the next `poll` returns it as `.aborted`, without waiting.
    /// Returns false when `id` is unknown or already finished.
    @discardableResult
    @_specialize(where ID == Int64)
    public func cancel(_ id: ID) -> Bool {
        guard let raw = handleByID.removeValue(forKey: id), let transfer = transfers.removeValue(forKey: raw) else {
            return false
        }
        // libcurl: "Removing an easy handle while being in use is perfectly legal and will effectively halt the
        // transfer in progress involving that easy handle."
        curl_multi_remove_handle(multi.raw, raw)
        ready.append((id, .failure(HTTPClientError(code: .aborted, message: "cancelled by the caller"))))
        transfer.easy.abandon()
        recycle(transfer.easy)
        return true
    }

    /// Drives the transfers and returns those that finished. Waits up to `timeoutMilliseconds` for the first
    /// completion, returning sooner when `remote.wakeUp()` is called (possibly with nothing). Pass 0 to not wait.
    @_specialize(where ID == Int64)
    public func poll(timeoutMilliseconds: Int) -> [Completion] {
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(max(0, timeoutMilliseconds)))
        var woken = applyRemote()
        perform()
        while ready.isEmpty && !woken {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { break }
            let waitMilliseconds = Int32(clamping: EasyHandle.milliseconds(remaining))
            // libcurl: curl_multi_poll waits on the transfers' sockets and returns early on curl_multi_wakeup;
            // with no transfers it still waits, so an idle poll sleeps until woken or timed out.
            _ = curl_multi_poll(multi.raw, nil, 0, waitMilliseconds, nil)
            woken = applyRemote()
            perform()
        }
        defer { ready.removeAll(keepingCapacity: true) }
        return ready
    }

    /// Runs libcurl's state machines and moves finished transfers to `ready`.
    private func perform() {
        var running: Int32 = 0
        _ = curl_multi_perform(multi.raw, &running)
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi.raw, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let raw = message.pointee.easy_handle else { continue }
            // libcurl: the message "will not survive calling curl_multi_remove_handle": read it first.
            let result = message.pointee.data.result
            curl_multi_remove_handle(multi.raw, raw)
            guard let transfer = transfers.removeValue(forKey: raw) else { continue }
            handleByID[transfer.id] = nil
            ready.append((transfer.id, transfer.easy.outcome(result)))
            recycle(transfer.easy)
        }
    }

    /// Applies cancels asked for through `remote`; returns whether `wakeUp` was called.
    private func applyRemote() -> Bool {
        let state = remote.take()
        for id in state.cancels { cancel(id) }
        return state.woken
    }

    private func recycle(_ easy: EasyHandle) {
        if idleHandles.count < maxIdleHandles { idleHandles.append(easy) }
    }
}

@available(*, unavailable) extension HTTPMultiClient: Sendable {}
