@testable import SweepAPI
import Testing

/// `/api/v1/health` reuses a recent successful database check; a failure is never reused (time injected).
@Suite struct RecentSuccessTests {
    struct Down: Error {}

    @Test func aSuccessStandsForItsFreshnessAndAFailureForNothing() {
        let recent = RecentSuccess(freshness: .seconds(1))
        let start = ContinuousClock.now
        var checks = 0
        recent.check(now: start) { checks += 1 }
        recent.check(now: start + .milliseconds(900)) { checks += 1 }
        #expect(checks == 1)
        // Stale: checked again; the failure is thrown, and so is the next one's (nothing remembered).
        #expect(throws: Down.self) { try recent.check(now: start + .milliseconds(1100)) { checks += 1; throw Down() } }
        #expect(throws: Down.self) { try recent.check(now: start + .milliseconds(1101)) { checks += 1; throw Down() } }
        recent.check(now: start + .milliseconds(1200)) { checks += 1 }
        recent.check(now: start + .milliseconds(2100)) { checks += 1 }
        #expect(checks == 4)
    }

    @Test func whileOneCallerChecksTheOthersAnswerFromTheStaleSuccessWithinGrace() {
        let recent = RecentSuccess(freshness: .seconds(1), grace: .seconds(10))
        let start = ContinuousClock.now
        recent.check(now: start) {}
        var others = 0
        recent.check(now: start + .seconds(2)) {
            // Other requests arrive while this check is in flight.
            recent.check(now: start + .seconds(2)) { others += 1 }
            #expect(others == 0)
            recent.check(now: start + .seconds(11)) { others += 1 }  // the success is older than grace
            #expect(others == 1)
        }
        // A failed check is never covered by grace: the next caller checks even while another one is in flight.
        #expect(throws: Down.self) { try recent.check(now: start + .seconds(25)) { throw Down() } }
        recent.check(now: start + .seconds(25)) {
            recent.check(now: start + .seconds(25)) { others += 1 }
        }
        #expect(others == 2)
    }
}
