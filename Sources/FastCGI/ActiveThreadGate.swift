import BlockingCalls
import DurationUnits
import Glibc
import Synchronization
import Web

/// Lets at most `limit` request threads run at once: waiting in the poller for a request or serving one. The
/// others sleep here until a running one blocks on I/O (`BlockingCall`: a PostgreSQL round trip, a pool wait, a
/// request body), which frees its place; a thread back from such a call runs at once, and the first thread to
/// finish a request while over the limit gives its place up.
///
/// Why: a request that needs no I/O (`/me` from the auth cache) costs ~35 µs. With all 8 request threads runnable
/// on 2 cores, every request woke a sleeping thread (an IPI and a context switch) and runnable threads preempted
/// one another mid-request: measured `/me` cost 38-60 µs of worker CPU and 40-50 µs of nginx's with 8 threads,
/// against 31-36 and 33-40 with 2 (docs/PLATFORM-NOTES.md, "Session 11"). With the gate, as many threads as there
/// are cores run, and the rest are there for requests waiting on PostgreSQL.
///
/// A thread blocked somewhere `BlockingCall` does not mark would hold its place; so a sleeper that sees no
/// thread waiting for requests, and no request started or finished for `stuckAfter`, runs anyway, beside them.
public final class ActiveThreadGate: BlockingCallObserver, RequestThreadGauge, @unchecked Sendable {
    // @unchecked: `running`, `sleeping` and `stopping` are read and written only with `mutex` held; the rest is
    // atomic or immutable.
    public let limit: Int
    let stuckAfter: Duration
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wake: UnsafeMutablePointer<pthread_cond_t>
    private var running = 0
    private var sleeping = 0
    private var stopping = false
    /// Sleeps that timed out, ever (tests wait on it instead of on the clock).
    private var timeouts = 0
    /// Times a sleeper ran beside stuck threads.
    private var overruns = 0
    /// `running`, readable without the lock: the check after each request.
    private let runningHint = Atomic<Int>(0)
    /// Threads inside the poller waiting for a request; while one is, no running thread is stuck.
    private let waiting = Atomic<Int>(0)
    /// When a running thread last took a request or finished one (CLOCK_MONOTONIC, ns): progress, for the stuck
    /// check.
    private let lastProgress = Atomic<Int>(0)

    public init(limit: Int, stuckAfter: Duration = .milliseconds(50)) {
        precondition(limit > 0, "the gate needs room for at least one thread")
        self.limit = limit
        self.stuckAfter = stuckAfter
        mutex = .allocate(capacity: 1)
        wake = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        // The sleepers' timed waits count on the monotonic clock (the wall clock may jump).
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(wake, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(mutex)
        wake.deallocate()
        mutex.deallocate()
    }

    /// Waits for a place; false once stopping (the thread then ends).
    func enter() -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while running >= limit && !stopping {
            sleeping += 1
            let timedOut = sleep()
            sleeping -= 1
            if timedOut { timeouts += 1 }
            if timedOut, running >= limit, waiting.load(ordering: .relaxed) == 0,
               Self.now() - lastProgress.load(ordering: .relaxed) >= Int(stuckAfter.nanoseconds) {
                overruns += 1
                break  // every running thread is busy and none finished anything: run beside them
            }
        }
        if stopping { return false }
        setRunning(running + 1)
        return true
    }

    /// Brackets the wait for the next request.
    func waitingForRequest<T>(_ body: () -> T) -> T {
        waiting.add(1, ordering: .relaxed)
        let next = body()
        lastProgress.store(Self.now(), ordering: .relaxed)
        waiting.subtract(1, ordering: .relaxed)
        return next
    }

    /// After each request: a thread over the limit (one came back from I/O meanwhile) gives its place up and
    /// waits for one. False once stopping.
    func requestFinished() -> Bool {
        lastProgress.store(Self.now(), ordering: .relaxed)
        guard runningHint.load(ordering: .relaxed) > limit else { return true }
        leave()
        return enter()
    }

    /// The thread ends (stopping): its place goes to a sleeper.
    func leave() {
        pthread_mutex_lock(mutex)
        setRunning(running - 1)
        if running < limit && sleeping > 0 { pthread_cond_signal(wake) }
        pthread_mutex_unlock(mutex)
    }

    /// Sleepers return from `enter` with false.
    func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(mutex)
    }

    /// Sleeps that timed out so far.
    var sleepsTimedOut: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return timeouts
    }

    public var requestThreads: RequestThreadCounts {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return RequestThreadCounts(running: running, sleeping: sleeping, overruns: overruns)
    }

    public func willBlock() { leave() }

    public func didUnblock() {
        pthread_mutex_lock(mutex)
        setRunning(running + 1)
        pthread_mutex_unlock(mutex)
    }

    private func setRunning(_ value: Int) {
        running = value
        runningHint.store(value, ordering: .relaxed)
    }

    private static func now() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return time.tv_sec * 1_000_000_000 + time.tv_nsec
    }

    /// One timed wait on `wake` (mutex held); true when it timed out.
    private func sleep() -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let nanos = Int(deadline.tv_nsec) + Int(stuckAfter.nanoseconds)
        deadline.tv_sec += nanos / 1_000_000_000
        deadline.tv_nsec = nanos % 1_000_000_000
        return pthread_cond_timedwait(wake, mutex, &deadline) == ETIMEDOUT
    }
}
