import SweepJSON

/// `retries`, `retry_delay`, `retry_backoff`, `retry_max_delay` as written on a task, or in `config` as the
/// workflow's defaults. Each is nil when not written, so a task's unset field falls back to the config's, and the
/// config's to API.md's default: see `RetryPolicy`.
public struct RetrySettings: Sendable, Hashable {
    public var retries: Int?
    /// Seconds.
    public var delay: Double?
    public var backoff: Double?
    /// Seconds.
    public var maxDelay: Double?

    public init(retries: Int? = nil, delay: Double? = nil, backoff: Double? = nil, maxDelay: Double? = nil) {
        self.retries = retries
        self.delay = delay
        self.backoff = backoff
        self.maxDelay = maxDelay
    }

    init(_ reader: FieldReader) throws(ValidationError) {
        retries = try reader.integer("retries", in: 0...ModelLimits.maxRetries)
        delay = try reader.seconds("retry_delay", minimum: 0)
        backoff = try reader.number("retry_backoff", in: 1...ModelLimits.maxRetryBackoff)
        maxDelay = try reader.seconds("retry_max_delay", minimum: 0)
    }
}
