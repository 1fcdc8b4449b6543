import SweepModel

/// The whole environment of a local task process: an allow-list plus the task's own variables. Nothing is
/// inherited from the scheduler, whose environment holds the database credentials.
enum LocalEnvironment {
    static let base: [String: String] = [
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": "/tmp",
    ]

    /// `base`: the allow-list; containers pass none, so that their image's own PATH and the like stay below the
    /// definition's and the task's variables (SWEEP: image < definition < workflow).
    static func make(run: ClaimedRun, apiURL: String?, layers: [[EnvironmentVariable]], extra: [String: String] = [:],
                     base: [String: String] = LocalEnvironment.base) -> [String: String] {
        var environment = base
        environment["SWEEP_RUN_ID"] = run.name
        environment["SWEEP_LAUNCH_ID"] = run.launchID
        // The task's own progress token: it can post progress for this run and nothing else.
        environment["SWEEP_TASK_TOKEN"] = run.progressToken
        if let apiURL { environment["SWEEP_API_URL"] = apiURL }
        environment.merge(extra) { _, new in new }
        // Later layers win: the container definition's variables, then the task's.
        for layer in layers { for variable in layer { environment[variable.name] = variable.value } }
        return environment
    }
}
