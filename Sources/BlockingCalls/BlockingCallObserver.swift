/// Told when the thread it watches starts and ends a call that may block on I/O (a PostgreSQL round trip, a wait
/// for a pool connection or a request body). Installed per thread with `BlockingCall.observe(_:)`.
public protocol BlockingCallObserver: AnyObject, Sendable {
    /// The thread is about to block: its CPU is free for another thread.
    func willBlock()
    /// The thread is running again.
    func didUnblock()
}
