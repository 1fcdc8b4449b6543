/// When a failed run is executed again (API.md v1.1 "Task semantics"), as a pure function the run transitions
/// call: a task's own settings, else the workflow's `config` defaults, else 0 retries, no delay, backoff 1.
///
/// The delay before attempt n+1, after attempt n failed, is `min(retry_delay * retry_backoff^(n-1), retry_max_delay)`,
/// capped at `ModelLimits.maxDelaySeconds` when there is no `retry_max_delay`.
public struct RetryPolicy: Sendable, Hashable {
    public var retries: Int
    public var delay: Double
    public var backoff: Double
    public var maxDelay: Double?

    public init(retries: Int = 0, delay: Double = 0, backoff: Double = 1, maxDelay: Double? = nil) {
        self.retries = retries
        self.delay = delay
        self.backoff = backoff
        self.maxDelay = maxDelay
    }

    /// The policy of `task` in `workflow`: each field from the task, else from `config`, else its default.
    public init(task: TaskSemantics, config: WorkflowConfig) {
        let own = task.retry, defaults = config.retry
        self.init(retries: own.retries ?? defaults.retries ?? 0, delay: own.delay ?? defaults.delay ?? 0,
                  backoff: own.backoff ?? defaults.backoff ?? 1, maxDelay: own.maxDelay ?? defaults.maxDelay)
    }

    public init(_ task: WorkflowTask, in workflow: Workflow) {
        self.init(task: task.properties.semantics, config: workflow.config)
    }

    /// Why a run failed, as far as retrying is concerned.
    public enum Failure: Sendable, Hashable {
        /// The task's executable failed: HTTP non-2xx, non-zero exit, function exception, timeout, lost executor,
        /// a failed child launch. `retryable` is false when the executable said so (`X-Sweep-Retryable: false`,
        /// an executor's `"retryable": false`).
        case execution(retryable: Bool)
        /// The run could not be prepared (false deploy condition, an expression that raised): the same inputs
        /// would give the same answer, so it is never retried.
        case preparation(TaskRunError.Code)
        /// Cancelled, ended by `max_wait_time` (`wait_timeout`) or a signal's `timeout` (`signal_timeout`).
        case final(TaskRunError.Code)
    }

    public enum Decision: Sendable, Hashable {
        /// Back to `scheduled`, ready after this many seconds.
        case retry(afterSeconds: Double)
        case fail
    }

    /// What to do once `attempt` (1 for the first execution) failed with `failure`.
    public func decision(afterAttempt attempt: Int, failed failure: Failure) -> Decision {
        guard case .execution(retryable: true) = failure, attempt >= 1, attempt <= retries else { return .fail }
        return .retry(afterSeconds: delay(afterAttempt: attempt))
    }

    /// Seconds to wait before attempt `attempt + 1`.
    public func delay(afterAttempt attempt: Int) -> Double {
        let cap = maxDelay ?? Double(ModelLimits.maxDelaySeconds)
        // delay * backoff^(attempt-1) by repeated multiplication (no Foundation in this target), stopping at the cap
        // so a large backoff never overflows; attempts are bounded by ModelLimits.maxRetries + 1.
        var grown = delay
        var step = 1
        while step < attempt, grown < cap, grown > 0 {
            grown *= backoff
            step += 1
        }
        return min(grown, cap)
    }

    /// Whether this policy allows any re-execution at all.
    public var retriesAtAll: Bool { retries > 0 }
}
