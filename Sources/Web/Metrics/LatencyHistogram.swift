/// A Prometheus histogram of durations with fixed bucket bounds, updated with atomics only: observing costs a few
/// relaxed increments and never serialises request threads. A scrape may see a count one ahead of a bucket; the
/// format tolerates that.
public final class LatencyHistogram: Sendable {
    /// Upper bounds in seconds, from half a millisecond (a cached answer) to ten seconds (a stuck query).
    public static let defaultBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public let bounds: [Double]
    private let buckets: [AtomicCounter]
    private let count = AtomicCounter()
    private let sumMicroseconds = AtomicCounter()

    public init(bounds: [Double] = LatencyHistogram.defaultBounds) {
        self.bounds = bounds
        buckets = bounds.map { _ in AtomicCounter() }
    }

    public func observe(seconds: Double) {
        // Non-cumulative storage: one increment per observation; cumulative sums are formed when rendering.
        if let index = bounds.firstIndex(where: { seconds <= $0 }) { buckets[index].add() }
        count.add()
        sumMicroseconds.add(Int((seconds * 1_000_000).rounded()))
    }

    public func observe(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        observe(seconds: Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// Cumulative bucket counts (one per bound), the total count and the sum in seconds.
    public var snapshot: (buckets: [Int], count: Int, sum: Double) {
        var running = 0
        let cumulative = buckets.map { bucket -> Int in
            running += bucket.value
            return running
        }
        return (cumulative, count.value, Double(sumMicroseconds.value) / 1_000_000)
    }
}
