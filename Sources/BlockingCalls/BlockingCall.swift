import Glibc

/// Marks calls that may block on I/O (or run for milliseconds, as a password hash does), so a thread pool that
/// limits how many of its threads run at once (FastCGI's `ActiveThreadGate`) can let another thread run meanwhile. On a thread with no observer (the
/// scheduler, background threads) `around` only calls its body; the cost is one `pthread_getspecific`.
public enum BlockingCall {
    /// Runs `body`, a call that may block, telling this thread's observer before and after. Nested calls tell it
    /// once, around the outermost.
    @inline(__always)
    public static func around<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        guard let raw = pthread_getspecific(observerKey) else { return try body() }
        let watch = Unmanaged<ThreadWatch>.fromOpaque(raw).takeUnretainedValue()
        watch.depth += 1
        if watch.depth == 1 { watch.observer.willBlock() }
        defer {
            watch.depth -= 1
            if watch.depth == 0 { watch.observer.didUnblock() }
        }
        return try body()
    }

    /// Installs `observer` for the calling thread (nil removes it). The thread keeps a strong reference until
    /// it is removed or the thread exits.
    public static func observe(_ observer: (any BlockingCallObserver)?) {
        if let old = pthread_getspecific(observerKey) {
            Unmanaged<ThreadWatch>.fromOpaque(old).release()
        }
        let new = observer.map { Unmanaged.passRetained(ThreadWatch($0)).toOpaque() }
        pthread_setspecific(observerKey, new)
    }
}

/// One thread's observer and how deep in blocking calls the thread is; touched only by that thread.
private final class ThreadWatch {
    let observer: any BlockingCallObserver
    var depth = 0

    init(_ observer: any BlockingCallObserver) { self.observer = observer }
}

/// The thread-specific slot holding a retained `ThreadWatch`, released when its thread exits.
private let observerKey: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key) { raw in
        if let raw { Unmanaged<ThreadWatch>.fromOpaque(raw).release() }
    }
    precondition(status == 0, "pthread_key_create failed: \(status)")
    return key
}()
