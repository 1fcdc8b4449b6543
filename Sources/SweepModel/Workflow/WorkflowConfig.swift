import SweepJSON

/// Orchestration directives of a workflow; both optional (SWEEP examples post `{}` or omit `config`).
public struct WorkflowConfig: Sendable, Hashable {
    public var maxTaskConcurrency: Int?
    /// Seconds.
    public var maxTaskRuntime: Int?
    /// Workflow-wide defaults of the tasks' retry settings (API.md v1.1).
    public var retry: RetrySettings
    /// Seconds a foreground `/call` waits before handing over with 202 (backend workflows); nil: the default.
    public var callTimeout: Int?
    /// Seconds a backend workflow's interceptor has to answer (`BackendDefinition.defaultInterceptorTimeout`).
    public var interceptorTimeout: Int?

    public init(maxTaskConcurrency: Int? = nil, maxTaskRuntime: Int? = nil, retry: RetrySettings = RetrySettings()) {
        self.maxTaskConcurrency = maxTaskConcurrency
        self.maxTaskRuntime = maxTaskRuntime
        self.retry = retry
    }

    init(json: JSONValue, at pointer: JSONPointer) throws(ValidationError) {
        let reader = try FieldReader(json, at: pointer, what: "config")
        maxTaskConcurrency = try reader.integer("max_task_concurrency", in: 1...100_000)
        maxTaskRuntime = try reader.integer("max_task_runtime", in: 1...ModelLimits.maxDelaySeconds)
        retry = try RetrySettings(reader)
        callTimeout = try reader.integer("call_timeout", in: 1...Int64(BackendDefinition.maxCallTimeout))
        interceptorTimeout = try reader.integer("interceptor_timeout", in: 1...Int64(BackendDefinition.maxInterceptorTimeout))
    }
}
