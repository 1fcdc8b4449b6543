import CFastCGI
import Glibc

/// Hands request threads the FastCGI connections that have a request waiting: new connections from the listening
/// socket and idle persistent ones (`fastcgi_keep_conn on`) alike, through one epoll set shared by every thread.
///
/// Why not libfcgi's own loop: with a kept connection, `FCGX_Accept_r` blocks on that connection's next request,
/// so every idle connection nginx keeps pins a thread while new requests queue at accept (measured: p99 0.3-1 s).
/// Here idle connections wait in epoll, costing no thread. Every descriptor is registered one-shot, so exactly one
/// thread gets each ready connection; it re-arms the connection when the request is done (`keep`).
final class ConnectionPoller: @unchecked Sendable {
    // @unchecked: the descriptors are fixed after init; epoll itself is thread-safe.
    let epollFD: Int32
    let listenFD: Int32
    /// Written once at shutdown; registered level-triggered, so every waiting thread sees it.
    let stopFD: Int32

    init(listenFD: Int32) throws {
        self.listenFD = listenFD
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        stopFD = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        guard epollFD >= 0, stopFD >= 0 else { throw FastCGIError("epoll/eventfd: errno \(errno)") }
        // Accepted sockets do not inherit O_NONBLOCK on Linux; libfcgi reads them blocking, as it expects.
        _ = fcntl(listenFD, F_SETFL, fcntl(listenFD, F_GETFL) | O_NONBLOCK)
        guard control(EPOLL_CTL_ADD, listenFD, oneShot: true), control(EPOLL_CTL_ADD, stopFD, oneShot: false) else {
            throw FastCGIError("epoll_ctl: errno \(errno)")
        }
    }

    /// Blocks until a connection has (or, just accepted, is about to have) a request; nil once stopping.
    func next() -> Int32? {
        var event = epoll_event()
        while true {
            let n = epoll_wait(epollFD, &event, 1, -1)
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            guard n == 1 else { continue }
            let fd = event.data.fd
            if fd == stopFD { return nil }
            guard fd == listenFD else { return fd }
            // accept4 needs _GNU_SOURCE, which Swift's Glibc does not define.
            let connection = accept(listenFD, nil, nil)
            if connection >= 0 { _ = fcntl(connection, F_SETFD, FD_CLOEXEC) }
            // Re-arm at once so another thread can accept the next connection while this one is served.
            _ = control(EPOLL_CTL_MOD, listenFD, oneShot: true)
            if connection >= 0 { return connection }
            // EAGAIN (another process won it), ECONNABORTED: wait again. A shut-down socket: stop.
            if errno == EINVAL || errno == EBADF { return nil }
        }
    }

    /// Waits for the connection's next request (nginx keeps it open between requests).
    func keep(_ fd: Int32) {
        if !control(EPOLL_CTL_MOD, fd, oneShot: true), errno == ENOENT, !control(EPOLL_CTL_ADD, fd, oneShot: true) {
            close(fd)
        }
    }

    /// Every thread's `next()` returns nil from now on.
    func stop() {
        var one: UInt64 = 1
        _ = write(stopFD, &one, 8)
    }

    private func control(_ operation: Int32, _ fd: Int32, oneShot: Bool) -> Bool {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | (oneShot ? EPOLLONESHOT.rawValue : 0)
        event.data.fd = fd
        return epoll_ctl(epollFD, operation, fd, &event) == 0
    }
}
