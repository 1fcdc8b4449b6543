import SweepExpression
import SweepJSON

/// The v1.1 task properties (API.md "Task semantics"): retries and their timing, per-task timeouts, the input
/// transform, the enabled flag and the texts people see. Kept apart from `TaskProperties` (SWEEP's own properties)
/// so each can be read on its own; a task's `properties` object holds both.
public struct TaskSemantics: Sendable, Hashable {
    /// `retries`, `retry_delay`, `retry_backoff`, `retry_max_delay`; unset ones fall back to `config`'s.
    public var retry: RetrySettings
    /// This task's timeout in seconds; overrides `config.max_task_runtime`.
    public var maxRuntime: Int?
    /// Seconds a ready run may wait to be started before it fails with `wait_timeout`.
    public var maxWaitTime: Double?
    /// Evaluated over the standard input (see `InputTransform`); its value becomes the run's input.
    public var transformInput: Expression?
    /// A disabled task does not execute: its runs end `skipped` with output `{}`.
    public var enabled: Bool
    public var label: String?
    public var description: String?

    public init(retry: RetrySettings = RetrySettings(), maxRuntime: Int? = nil, maxWaitTime: Double? = nil, transformInput: Expression? = nil,
                enabled: Bool = true, label: String? = nil, description: String? = nil) {
        self.retry = retry
        self.maxRuntime = maxRuntime
        self.maxWaitTime = maxWaitTime
        self.transformInput = transformInput
        self.enabled = enabled
        self.label = label
        self.description = description
    }

    init(_ reader: FieldReader) throws(ValidationError) {
        let pointer = reader.pointer
        retry = try RetrySettings(reader)
        maxRuntime = try reader.integer("max_runtime", in: 1...ModelLimits.maxDelaySeconds)
        maxWaitTime = try reader.seconds("max_wait_time", minimum: 0, inclusive: false)
        if let value = reader.value("transform_input") {
            guard case .string(let source) = value else {
                throw ValidationError(pointer / "transform_input", .invalidType, "transform_input must be an expression string, not \(value.typeName)")
            }
            transformInput = try InputTransform.parse(source, at: pointer / "transform_input")
        }
        enabled = try reader.bool("enabled") ?? true
        label = try reader.text("label", maxLength: ModelLimits.maxLabelLength, multiline: false)
        description = try reader.text("description", maxLength: ModelLimits.maxDescriptionLength, multiline: true)
    }
}
