/// Bounds that keep one tenant's definition from costing everyone else: checked at registration, so a launch never
/// discovers them halfway through.
public enum ModelLimits {
    /// The API refuses bodies larger than this (413) before decoding.
    public static let maxDefinitionBytes = 1 << 20
    public static let maxTasks = 1_000
    public static let maxIdentifierLength = 128
    /// One year: a longer delay is surely a unit mistake (milliseconds for seconds).
    public static let maxDelaySeconds: Int64 = 365 * 24 * 3600
    public static let maxMultiplicity: Int64 = 100_000
    public static let maxExecutionConfigurations = 16
    public static let maxDeployConditions = 64
    public static let maxExpressionLength = 4_096
    public static let maxEnvironmentVariables = 256
    public static let maxCommandArguments = 1_024
    /// Replicas one scatter may create; a scatter over a bigger list fails the task instead of flooding the store.
    public static let maxScatterWidth = 100_000
    /// A run's prepared input (a gather of many outputs adds up); larger fails the run with `input_too_large`.
    public static let maxRunInputBytes = 16 << 20
    /// A launch's `input` as JSON; it is copied into every run's input, so it stays small (413 above it).
    public static let maxLaunchInputBytes = 1 << 20
}
