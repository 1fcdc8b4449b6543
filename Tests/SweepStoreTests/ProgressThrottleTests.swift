import SweepStore
import Testing

/// The progress rate limit with an injected clock: the first report goes out, later ones within the interval are
/// held (the latest wins), and with `tracksWrites` a run's next report waits for its write in flight.
struct ProgressThrottleTests {
    let start = ContinuousClock.now
    func at(_ ms: Int) -> ContinuousClock.Instant { start + .milliseconds(ms) }

    @Test func theFirstGoesOutAndTheLatestHeldOneFollowsAfterTheInterval() {
        var throttle = ProgressThrottle<String, Int>(interval: .milliseconds(500))
        #expect(throttle.offer("r", 0, now: at(0)) == 0)
        #expect(throttle.offer("r", 1, now: at(10)) == nil)
        #expect(throttle.offer("r", 2, now: at(20)) == nil)
        #expect(throttle.nextDue() == at(500))
        #expect(throttle.due(now: at(499)).isEmpty)
        #expect(throttle.due(now: at(500)).map(\.1) == [2])
        #expect(!throttle.isHolding)
    }

    /// The API's case: a held report's write is slow (longer than the interval); the next post, arriving an
    /// interval after that write was decided, must not be written beside it (it could commit first).
    @Test func aReportWaitsForItsRunsWriteInFlight() {
        var throttle = ProgressThrottle<String, Int>(interval: .milliseconds(500), tracksWrites: true)
        #expect(throttle.offer("r", 0, now: at(0)) == 0)
        #expect(throttle.offer("r", 1, now: at(600)) == nil, "0 is still being written")
        #expect(throttle.nextDue() == nil, "nothing falls due while the run's write is in flight")
        #expect(throttle.due(now: at(700)).isEmpty)
        throttle.written("r", now: at(800))
        #expect(throttle.nextDue() == at(1300), "the interval runs from the write's end")
        #expect(throttle.offer("r", 2, now: at(900)) == nil)
        let due = throttle.due(now: at(1300))
        #expect(due.map(\.1) == [2])
        #expect(throttle.offer("r", 3, now: at(1900)) == nil, "2 is being written")
        throttle.written("r", now: at(2000))
        #expect(throttle.due(now: at(2500)).map(\.1) == [3])
        throttle.written("r", now: at(2510))
        #expect(throttle.offer("r", 4, now: at(3100)) == 4, "quiet for an interval: at once")
        // Other runs are not held up by this one's write.
        #expect(throttle.offer("s", 0, now: at(3100)) == 0)
    }

    @Test func aFinishedRunIsForgottenEvenWithAWriteInFlight() {
        var throttle = ProgressThrottle<String, Int>(interval: .milliseconds(500), tracksWrites: true)
        #expect(throttle.offer("r", 0, now: at(0)) == 0)
        #expect(throttle.offer("r", 1, now: at(10)) == nil)
        #expect(throttle.finish("r") == 1)
        throttle.written("r", now: at(20))
        #expect(throttle.nextDue() == nil && !throttle.isHolding)
    }
}
