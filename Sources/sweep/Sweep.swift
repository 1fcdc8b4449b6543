import ArgumentParser

/// The root command: configuration and subcommands only.
struct Sweep: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Command-line client for the Sweep workflow orchestration API.",
        discussion: """
            Configuration: `sweep login` stores the server URL and an API key in \
            $XDG_CONFIG_HOME/sweep/config.json (default ~/.config/sweep/config.json, mode 0600); \
            SWEEP_URL and SWEEP_API_KEY override it, and --url overrides both.

            Exit codes: 0 ok, 1 launch failed or cancelled (--wait, watch), 2 usage, 3 authentication \
            (401/403 or no key), 4 not found, 5 server unreachable, 6 request rejected (other 4xx), \
            7 server error (5xx).
            """,
        version: version,
        subcommands: [
            LoginCommand.self, LogoutCommand.self,
            DestinationCommand.self, FunctionCommand.self, ContainerCommand.self, WorkflowCommand.self,
            LaunchCommand.self, LaunchStatusCommand.self, LaunchesCommand.self,
            PsCommand<RunningLaunches>.self, PsCommand<WaitingLaunches>.self,
            PsCommand<SucceededLaunches>.self, PsCommand<FailedLaunches>.self,
            WatchCommand.self, LogsCommand.self, CancelCommand.self, GraphCommand.self, SignalCommand.self,
            KeysCommand.self, UsersCommand.self,
            ArtifactCommand.self, FilesCommand.self,
            RerunCommand.self, RemoveCommand.self,
            CallCommand.self,
            ExecutorsCommand.self,
        ]
    )
}
