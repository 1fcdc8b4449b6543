/// Bounds of the v1.1 task properties (API.md "Task semantics").
extension ModelLimits {
    /// API.md: `retries` is 0-100.
    public static let maxRetries: Int64 = 100
    /// A larger factor reaches the one-year delay cap within a few retries anyway.
    public static let maxRetryBackoff: Double = 1_000
    public static let maxLabelLength = 200
    public static let maxDescriptionLength = 4_096
    /// API.md: a child launch of a child launch … at most 8 deep.
    public static let maxWorkflowNesting = 8
    /// Arguments of an `executor_type` configuration.
    public static let maxExecutorArguments = 1_024
}
