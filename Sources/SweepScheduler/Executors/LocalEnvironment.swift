import SweepModel

/// The whole environment of a local task process: an allow-list plus the task's own variables. Nothing is
/// inherited from the scheduler, whose environment holds the database credentials.
enum LocalEnvironment {
    static let base: [String: String] = [
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": "/tmp",
    ]

    static func make(run: ClaimedRun, layers: [[EnvironmentVariable]], extra: [String: String] = [:]) -> [String: String] {
        var environment = base
        environment["SWEEP_RUN_ID"] = run.name
        environment["SWEEP_LAUNCH_ID"] = run.launchID
        environment.merge(extra) { _, new in new }
        for variable in EnvironmentVariable.merged(layers) { environment[variable.name] = variable.value }
        return environment
    }
}
