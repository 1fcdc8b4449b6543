import BlockingCalls
import Dispatch
import Synchronization

/// A read started on another thread and collected later (`value()` waits for it), so one request can have two
/// statements running at once on two connections. Work never collected still runs to its end.
final class BackgroundRead<T: Sendable>: Sendable {
    private let result = Mutex<Result<T, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () throws -> T) {
        DispatchQueue.global().async { [self] in
            let outcome = Result { try body() }
            result.withLock { $0 = outcome }
            done.signal()
        }
    }

    /// The read's answer, or its error, once it has ended.
    func value() throws -> T {
        BlockingCall.around { done.wait() }
        return try result.withLock { $0! }.get()
    }
}
