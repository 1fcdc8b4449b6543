import Testing
@testable import SweepModel

@Test func delayGrowsByTheBackoffUpToTheCap() {
    // (delay, backoff, max delay, attempt that failed, expected seconds before the next attempt)
    let table: [(Double, Double, Double?, Int, Double)] = [
        (0, 1, nil, 1, 0), (0, 5, nil, 7, 0),
        (1, 1, nil, 1, 1), (1, 1, nil, 5, 1),
        (1, 2, nil, 1, 1), (1, 2, nil, 2, 2), (1, 2, nil, 3, 4), (1, 2, nil, 4, 8),
        (1, 2, 5, 3, 4), (1, 2, 5, 4, 5), (1, 2, 5, 100, 5),
        (0.5, 3, nil, 3, 4.5), (10, 1, 3, 1, 3),
        (2, 1000, nil, 101, Double(ModelLimits.maxDelaySeconds)),
    ]
    for (delay, backoff, maxDelay, attempt, expected) in table {
        let policy = RetryPolicy(retries: 100, delay: delay, backoff: backoff, maxDelay: maxDelay)
        #expect(policy.delay(afterAttempt: attempt) == expected, "delay \(delay) backoff \(backoff) max \(String(describing: maxDelay)) attempt \(attempt)")
    }
}

@Test func onlyRetryableExecutionFailuresAreRetriedWhileAttemptsRemain() {
    let policy = RetryPolicy(retries: 2, delay: 1, backoff: 2)
    #expect(policy.decision(afterAttempt: 1, failed: .execution(retryable: true)) == .retry(afterSeconds: 1))
    #expect(policy.decision(afterAttempt: 2, failed: .execution(retryable: true)) == .retry(afterSeconds: 2))
    #expect(policy.decision(afterAttempt: 3, failed: .execution(retryable: true)) == .fail)
    #expect(policy.decision(afterAttempt: 1, failed: .execution(retryable: false)) == .fail)
    #expect(policy.decision(afterAttempt: 1, failed: .preparation(.deployConditionFalse)) == .fail)
    #expect(policy.decision(afterAttempt: 1, failed: .preparation(.transformInputFailed)) == .fail)
    #expect(policy.decision(afterAttempt: 1, failed: .final("cancelled")) == .fail)
    #expect(policy.decision(afterAttempt: 1, failed: .final("wait_timeout")) == .fail)
    #expect(RetryPolicy().decision(afterAttempt: 1, failed: .execution(retryable: true)) == .fail)
    #expect(!RetryPolicy().retriesAtAll && policy.retriesAtAll)
}

@Test func taskSettingsOverrideConfigDefaultsFieldByField() throws {
    let workflow = try TestSupport.workflow("""
        {"workflow_id": "w", "config": {"retries": 3, "retry_delay": 2, "retry_backoff": 1.5},
         "tasks": [{"id": "1", "execution_configurations": [{"function_def_id": "f"}], "successors": ["2"], "properties": {"position": "start"}},
                   {"id": "2", "execution_configurations": [{"function_def_id": "f"}], "properties": {"retries": 1, "retry_max_delay": 2.5}}]}
        """)
    #expect(RetryPolicy(workflow.tasks[0], in: workflow) == RetryPolicy(retries: 3, delay: 2, backoff: 1.5, maxDelay: nil))
    #expect(RetryPolicy(workflow.tasks[1], in: workflow) == RetryPolicy(retries: 1, delay: 2, backoff: 1.5, maxDelay: 2.5))
    let plain = try Workflow(json: TestSupport.workflowJSON([TestSupport.task("1", properties: ["position": "start"])]))
    #expect(RetryPolicy(plain.tasks[0], in: plain) == RetryPolicy(retries: 0, delay: 0, backoff: 1, maxDelay: nil))
}
