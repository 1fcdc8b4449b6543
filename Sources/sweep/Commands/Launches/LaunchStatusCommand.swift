import ArgumentParser

/// `sweep launch status ID` and `sweep status ID`.
struct LaunchStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show a launch's status and task runs.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The launch id.", valueName: "launch"))
    var launch: String

    func run() throws {
        let status = try options.client().get("launches", launch)
        options.emit(status) { LaunchStatus.describe(status) }
    }
}
