import Dispatch
import Glibc

/// What other threads share with the supervisor thread, always under the supervisor's mutex.
struct SupervisorState {
    /// Ids started and not yet finished: `runningCount`, and the duplicate check in `start`.
    var running: Set<String> = []
    /// Ids whose `start` is still spawning, and those of them cancelled meanwhile: the cancel is passed on with the child.
    var spawning: Set<String> = []
    var cancelledWhileSpawning: Set<String> = []
    /// Children spawned by `start`, not yet taken over by the supervisor thread.
    var started: [Handoff] = []
    var cancelRequests: [String] = []
    var cancelAllRequested = false
    /// The public object is gone: kill everything, then let the thread end.
    var stopping = false
    var waiters: [Waiter] = []
    /// The supervisor thread, so that a blocking call from an `onEvent` handler is caught instead of deadlocking.
    var loopThread: pthread_t?

    /// A `cancelAll` caller, waiting until every id it saw running has finished.
    struct Waiter {
        var remaining: Set<String>
        let done: DispatchSemaphore
    }

    /// A child on its way from `start` to the supervisor thread.
    struct Handoff: @unchecked Sendable {  // unchecked: start() never touches the child after handing it over
        let child: ChildProcess
    }

    /// The requests the supervisor thread takes in one go.
    struct Inbox {
        var started: [Handoff]
        var cancelRequests: [String]
        var cancelAll: Bool
        var stopping: Bool
    }

    mutating func reserve(_ id: String) -> Bool {
        guard running.insert(id).inserted else { return false }
        spawning.insert(id)
        return true
    }

    mutating func handOver(_ handoff: Handoff) {
        let id = handoff.child.id
        spawning.remove(id)
        started.append(handoff)
        if cancelledWhileSpawning.remove(id) != nil { cancelRequests.append(id) }
    }

    mutating func release(_ id: String) {
        running.remove(id)
        spawning.remove(id)
        cancelledWhileSpawning.remove(id)
    }

    mutating func cancel(_ id: String) {
        if spawning.contains(id) {
            cancelledWhileSpawning.insert(id)
        } else {
            cancelRequests.append(id)
        }
    }

    mutating func takeInbox() -> Inbox {
        defer {
            started = []
            cancelRequests = []
            cancelAllRequested = false
        }
        return Inbox(
            started: started, cancelRequests: cancelRequests, cancelAll: cancelAllRequested, stopping: stopping)
    }

    /// Marks `id` finished; returns the waiters it completes.
    mutating func finish(_ id: String) -> [DispatchSemaphore] {
        running.remove(id)
        for index in waiters.indices { waiters[index].remaining.remove(id) }
        let completed = waiters.filter { $0.remaining.isEmpty }.map(\.done)
        waiters.removeAll { $0.remaining.isEmpty }
        return completed
    }
}
