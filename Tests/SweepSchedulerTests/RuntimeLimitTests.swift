import Testing
@testable import SweepScheduler

@Suite struct RuntimeLimitTests {
    @Test func aTimeoutNamesTheSettingThatApplied() {
        #expect(RuntimeLimit(task: 5, workflow: 30, scheduler: 3600).timedOut == "timed out after 5 s (max_runtime)")
        #expect(RuntimeLimit(task: nil, workflow: 30, scheduler: 3600).timedOut == "timed out after 30 s (max_task_runtime)")
        #expect(RuntimeLimit(task: nil, workflow: nil, scheduler: 3600).timedOut
            == "timed out after 3600 s (the scheduler's default runtime)")
    }
}
