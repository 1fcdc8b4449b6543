import SweepJSON

/// Everything a ready task run needs to execute, computed once when it becomes ready.
public struct RunInput: Sendable, Hashable {
    /// `{"predecessor_outputs": …, "static_input": …}`, plus `"launch_input"` when the launch had one; or the value
    /// of the task's `transform_input` over that.
    public var input: JSONValue
    /// The task's own environment (container tasks only); layer it over the container definition's with
    /// `ContainerDefinition.invocation(taskCommand:taskEnvironment:)`.
    public var environment: [EnvironmentVariable]?
    /// The task's command override (container tasks only).
    public var command: [String]?
    /// Added under `static_output` to whatever the executor returns: see `Planner.output(executorOutput:staticOutput:)`.
    public var staticOutput: JSONValue?
    /// The task's `max_runtime` (seconds), which overrides the workflow's `config.max_task_runtime`.
    public var runtimeSeconds: Int?
    /// The run's input files (contents computed), artifacts and output patterns; nil when the task has none.
    public var files: RunFiles?

    public init(input: JSONValue, environment: [EnvironmentVariable]? = nil, command: [String]? = nil, staticOutput: JSONValue? = nil,
                runtimeSeconds: Int? = nil) {
        self.input = input
        self.environment = environment
        self.command = command
        self.staticOutput = staticOutput
        self.runtimeSeconds = runtimeSeconds
    }
}
