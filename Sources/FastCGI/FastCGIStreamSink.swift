import CFastCGI
import Glibc
import Foundation
import Web

/// A FastCGI connection handed over to a long-lived stream (SSE) after its headers were written.
/// `@unchecked Sendable`: the request is only touched under `lock`, from whichever thread drives the stream.
final class FastCGIStreamSink: StreamSink, @unchecked Sendable {
    private let lock = NSLock()
    private var request: FastCGIRequest?
    private let requestID: String
    private let poller: ConnectionPoller

    /// The accept thread gives `request` up here and takes a fresh one, so only this sink touches it afterwards.
    init(_ request: FastCGIRequest, requestID: String, poller: ConnectionPoller) {
        self.request = request
        self.requestID = requestID
        self.poller = poller
    }

    /// A stream that lets go of its sink without closing it must not leave the connection to `FastCGIRequest`'s
    /// deinit, which closes it right after its END_REQUEST, when nginx may already reuse a kept connection.
    deinit { close() }

    func respond(_ response: Response) -> Bool {
        var response = response
        response.setHeader("X-Request-Id", requestID)
        let written = lock.withLock { () -> Bool in
            guard let request else { return false }
            return request.write(FastCGIServer.message(of: response, body: response.body)) && request.flush()
        }
        close()
        return written
    }

    func write(_ bytes: [UInt8]) -> Bool {
        lock.withLock {
            guard let request else { return false }
            // A client that cannot take a small event right now is too slow: report it gone rather than block
            // the thread that serves every other stream. It resumes with Last-Event-ID.
            guard Self.canWrite(request) else { return false }
            return request.write(bytes) && request.flush()
        }
    }

    var canTakeMore: Bool {
        lock.withLock { request.map(Self.canWrite) ?? false }
    }

    /// Whether the connection takes a write now without blocking. POLLOUT on a unix or TCP stream socket means a good
    /// part of its send buffer (hundreds of KB here) is free, so an event, or a replay batch of at most
    /// `EventStreamHub.replayBatchBytes`, does not block the hub thread.
    private static func canWrite(_ request: FastCGIRequest) -> Bool {
        var pfd = pollfd(fd: request.connectionFD, events: Int16(POLLOUT), revents: 0)
        return poll(&pfd, 1, 0) == 1 && pfd.revents & Int16(POLLOUT) != 0 && pfd.revents & Int16(POLLERR | POLLHUP) == 0
    }

    var isClosedByPeer: Bool {
        lock.withLock {
            guard let request else { return true }
            // POLLRDHUP (0x2000) is not imported without _GNU_SOURCE.
            var pfd = pollfd(fd: request.connectionFD, events: Int16(0x2000), revents: 0)
            return poll(&pfd, 1, 0) == 1 && pfd.revents & Int16(0x2000 | POLLHUP | POLLERR) != 0
        }
    }

    func close() {
        let closing = lock.withLock { () -> FastCGIRequest? in
            defer { request = nil }
            return request
        }
        // A kept connection (FCGI_KEEP_CONN) goes back to the poller for nginx's next request on it. Finishing
        // it alone (as before) left it open but watched by no thread: nginx, told the request was complete, sent
        // the next request there, and got "upstream prematurely closed connection" when this request was freed
        // (a parked POST, such as a launch with `wait`, was the usual victim; nginx retries no POST).
        if let kept = closing?.finishKeepingConnection() { poller.keep(kept) }
    }
}
