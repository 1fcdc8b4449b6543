import ArgumentParser
import SweepJSON

/// `sweep logs ID RUN`: the stdout and stderr of one task run, as text.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print a task run's output (stdout and stderr).")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The launch id.", valueName: "launch"))
    var launch: String

    @Argument(help: ArgumentHelp("The task run id (e.g. 2_A).", valueName: "run"))
    var runID: String

    func run() throws {
        let client = try options.client()
        let response = try client.exchange(.get, client.url(["launches", launch, "tasks", runID, "logs"]),
                                           headers: [("Accept", "text/plain")])
        guard (200..<300).contains(response.status) else { throw CLIError(response: response) }
        if options.json {
            print(JSONValue.object(["launch_id": .string(launch), "run_id": .string(runID), "logs": .string(response.bodyText)]).prettyString)
        } else {
            Terminal.write(response.bodyText)
        }
    }
}
