/// Answers by HTTP status code, counted with atomics (one counter per code from 100 to 599).
public final class HTTPStatusCounts: Sendable {
    private let counters: [AtomicCounter] = (0..<500).map { _ in AtomicCounter() }

    public init() {}

    public func record(_ code: Int) {
        guard (100...599).contains(code) else { return }
        counters[code - 100].add()
    }

    /// Codes answered at least once, with their counts, in code order.
    public var nonZero: [(code: Int, count: Int)] {
        counters.enumerated().compactMap { index, counter in
            let value = counter.value
            return value > 0 ? (index + 100, value) : nil
        }
    }
}
