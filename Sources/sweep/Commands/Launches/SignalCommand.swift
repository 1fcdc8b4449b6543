import ArgumentParser
import SweepJSON

/// `sweep signal LAUNCH TASK [--payload JSON]`: send a `signal` task its signal (its payload becomes the task's
/// output). A signal sent before the task is reached is kept until it is.
struct SignalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "signal", abstract: "Send a signal task of a launch its signal.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The launch id.", valueName: "launch"))
    var launch: String

    @Argument(help: ArgumentHelp("The id of the signal task.", valueName: "task"))
    var task: String

    @Option(help: ArgumentHelp("The payload, the task's output: inline JSON, or @file (@- for stdin). Default: null.", valueName: "json"))
    var payload: String?

    func run() throws {
        let value = try payload.map(JSONInput.parseArgument) ?? .null
        let answer = try options.client().request(.post, ["launches", launch, "signals", task], json: ["payload": value])
        options.emit(answer ?? ["launch_id": .string(launch), "task_id": .string(task)]) {
            "Signalled task \(task) of launch \(launch)" + (answer?["state"]?.stringValue.map { " (\($0))." } ?? ".")
        }
    }
}
