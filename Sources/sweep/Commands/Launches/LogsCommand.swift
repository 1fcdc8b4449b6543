import ArgumentParser
import SweepJSON

/// `sweep logs ID RUN [--stdout|--stderr] [--follow]`: a task run's log, one stream of it, or a stream followed while
/// the run runs (long polls of `?follow=true&offset=N` until the server says the run ended).
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Print a task run's output (stdout and stderr, or one of them; --follow while it runs).")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The launch id.", valueName: "launch"))
    var launch: String

    @Argument(help: ArgumentHelp("The task run id (e.g. 2_A).", valueName: "run"))
    var runID: String

    @Flag(help: "Only the run's standard output.")
    var stdout = false

    @Flag(help: "Only the run's standard error.")
    var stderr = false

    @Flag(help: "Keep printing as the run writes, until it ends (follows stderr unless --stdout).")
    var follow = false

    func validate() throws {
        if stdout && stderr { throw ValidationError("choose --stdout or --stderr, not both") }
        if follow && options.json { throw ValidationError("--follow prints text as it arrives; it has no --json form") }
    }

    var stream: String? { stdout ? "stdout" : stderr ? "stderr" : nil }

    func run() throws {
        let client = try options.client()
        guard follow else {
            let response = try client.exchange(.get, client.url(["launches", launch, "tasks", runID, "logs"], query: [("stream", stream)]),
                                               headers: [("Accept", "text/plain")])
            guard (200..<300).contains(response.status) else { throw CLIError(response: response) }
            if options.json {
                var object: [String: JSONValue] = ["launch_id": .string(launch), "run_id": .string(runID), "logs": .string(response.bodyText)]
                if let stream { object["stream"] = .string(stream) }
                print(JSONValue.object(object).prettyString)
            } else {
                Terminal.write(response.bodyText)
            }
            return
        }
        var offset = 0
        while true {
            let url = client.url(["launches", launch, "tasks", runID, "logs"],
                                 query: [("stream", stream ?? "stderr"), ("follow", "true"), ("offset", String(offset)), ("wait", "30")])
            let response = try client.exchange(.get, url, headers: [("Accept", "text/plain")], timeout: .seconds(90))
            guard (200..<300).contains(response.status) else { throw CLIError(response: response) }
            Terminal.write(response.bodyText)
            offset = response.header("X-Sweep-Log-Offset").flatMap { Int($0) } ?? offset
            if response.header("X-Sweep-Log-Complete") == "true" { return }
        }
    }
}
