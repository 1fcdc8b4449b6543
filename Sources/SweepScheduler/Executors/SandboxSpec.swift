import ProcessSupervisor

/// One description of what a task runs, whatever sandbox runs it (DESIGN §6): argv, the whole environment (an
/// allow-list plus the task's own variables, never the scheduler's), stdin, the files staged into its working
/// directory, its time limit and resource limits. `BubblewrapLauncher` and `PodmanLauncher` turn it into the
/// supervised host process that runs it; the network is the host's `SandboxSettings`.
struct SandboxSpec: Sendable {
    var arguments: [String]
    var environment: [String: String]
    var standardInput: [UInt8] = []
    var files: [String: [UInt8]] = [:]
    var timeout: Duration
    var limits: ResourceLimits
}
