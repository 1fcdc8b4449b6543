@testable import SweepAPI
import Testing

/// `/api/v1/health` reuses a recent successful database check; a failure is never reused (time injected).
@Suite struct RecentSuccessTests {
    struct Down: Error {}

    @Test func aSuccessStandsForItsFreshnessAndAFailureForNothing() throws {
        let recent = RecentSuccess(freshness: .seconds(1))
        let start = ContinuousClock.now
        var checks = 0
        try recent.check(now: start) { checks += 1 }
        try recent.check(now: start + .milliseconds(900)) { checks += 1 }
        #expect(checks == 1)
        // Stale: checked again; the failure is thrown, and so is the next one's (nothing remembered).
        #expect(throws: Down.self) { try recent.check(now: start + .milliseconds(1100)) { checks += 1; throw Down() } }
        #expect(throws: Down.self) { try recent.check(now: start + .milliseconds(1101)) { checks += 1; throw Down() } }
        try recent.check(now: start + .milliseconds(1200)) { checks += 1 }
        try recent.check(now: start + .milliseconds(2100)) { checks += 1 }
        #expect(checks == 4)
    }
}
