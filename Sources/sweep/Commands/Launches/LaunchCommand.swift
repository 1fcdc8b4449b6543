import ArgumentParser

/// `sweep launch WORKFLOW …` starts a launch; `sweep launch status ID` reports one.
struct LaunchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch", abstract: "Launch a workflow, or show a launch's status.",
        subcommands: [LaunchStartCommand.self, LaunchStatusCommand.self],
        defaultSubcommand: LaunchStartCommand.self)
}
