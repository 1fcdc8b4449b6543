import Synchronization

/// One monotonic counter that request threads bump without a lock.
public final class AtomicCounter: Sendable {
    private let storage = Atomic<Int>(0)

    public init() {}

    public func add(_ amount: Int = 1) {
        storage.add(amount, ordering: .relaxed)
    }

    public var value: Int { storage.load(ordering: .relaxed) }
}
