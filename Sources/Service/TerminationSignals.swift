import Glibc

/// SIGTERM and SIGINT, taken by one `wait()` only. `block()` blocks them in the calling thread, and every thread
/// started after it inherits the mask, so no thread is interrupted and the waiter alone decides how to stop.
/// SIGPIPE is ignored: a peer that went away is an error return, not a dead process.
public struct TerminationSignals {
    private var set = sigset_t()

    /// Call before starting any thread.
    public static func block() -> TerminationSignals {
        var signals = TerminationSignals()
        sigemptyset(&signals.set)
        sigaddset(&signals.set, SIGTERM)
        sigaddset(&signals.set, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals.set, nil)
        signal(SIGPIPE, SIG_IGN)
        return signals
    }

    /// Sleeps until SIGTERM or SIGINT arrives; returns which.
    public func wait() -> Int32 {
        var set = self.set
        var received: Int32 = 0
        sigwait(&set, &received)
        return received
    }
}
