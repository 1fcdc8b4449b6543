import ArgumentParser
import SweepJSON
import SweepStates

/// `sweep cancel ID`: stop a launch's running tasks and start nothing new.
struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a launch.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The launch id.", valueName: "launch"))
    var launch: String

    func run() throws {
        let answer = try options.client().request(.post, ["launches", launch, "cancel"])
        options.emit(answer ?? ["launch_id": .string(launch), "state": .string(LaunchState.cancelled.rawValue)]) { "Cancelling launch \(launch)." }
    }
}
