/// What the run transitions ask of a task's v1.1 semantics (API.md "Task semantics"): its retry policy, whether
/// it is enabled, its max wait. Unknown task ids answer the defaults (no retries, enabled, no max wait).
extension Planner {
    /// The retry policy of `taskID`: its own settings, else the workflow's `config`, else none.
    public func retryPolicy(taskID: String) -> RetryPolicy {
        guard let task = plan.tasks[taskID] else { return RetryPolicy() }
        return RetryPolicy(task, in: workflow)
    }

    /// Whether any task of the workflow may be retried: a failure of a launch without retries needs no lookup.
    public var retriesAnywhere: Bool {
        (workflow.config.retry.retries ?? 0) > 0 || workflow.tasks.contains { ($0.properties.semantics.retry.retries ?? 0) > 0 }
    }

    /// False for `enabled: false`: the task's runs end `skipped` with output `{}` instead of executing.
    public func isEnabled(taskID: String) -> Bool {
        plan.tasks[taskID]?.properties.semantics.enabled ?? true
    }

    /// Seconds a ready run of `taskID` may wait to be started (`max_wait_time`), nil for no limit.
    public func maxWaitTime(taskID: String) -> Double? {
        plan.tasks[taskID]?.properties.semantics.maxWaitTime
    }
}
