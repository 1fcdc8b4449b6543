import ArgumentParser

/// `sweep watch ID`: follow a launch until it ends.
struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Follow a launch's events until it ends (exit 0 succeeded, 1 failed or cancelled).",
        discussion: "On a terminal: a progress bar and one line per task state change. Otherwise: lines `<time> <event> <run_id> <state>`; with --json, one JSON object {id, event, data} per line.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The launch id.", valueName: "launch"))
    var launch: String

    func run() throws {
        try LaunchWatcher(client: options.client(), launchID: launch, json: options.json).run()
    }
}
