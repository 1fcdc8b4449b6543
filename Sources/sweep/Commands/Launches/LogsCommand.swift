import ArgumentParser
import HTTPClient
import SweepJSON

/// `sweep logs ID RUN [--stdout|--stderr] [--follow]`: a task run's log, one stream of it, or a stream followed while
/// the run runs (the SSE stream of `?follow=true`, resumed with Last-Event-ID if it drops, until its `end` event).
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
        var ended = false
        var failures = 0
        while !ended {
            var parser = SSEParser()
            do {
                let response = try client.stream(["launches", launch, "tasks", runID, "logs"], query: [("stream", stream ?? "stderr"), ("follow", "true")],
                                      headers: [("Accept", "text/event-stream"), ("Last-Event-ID", String(offset))],
                                      idleTimeout: LaunchWatcher.idleTimeout) { chunk in
                    for event in parser.feed(chunk) {
                        failures = 0
                        if event.event == "end" { ended = true; return false }
                        guard event.event == "log", let data = try? JSONParser.parse(event.data) else { continue }
                        Terminal.write(data["text"]?.stringValue ?? "")
                        offset = event.id.flatMap { Int($0) } ?? offset
                    }
                    return true
                }
                if !ended, response.header("Content-Type")?.contains("text/event-stream") != true {
                    throw CLIError(.serverError, "the server did not answer with a log stream")
                }
            } catch let error as CLIError {
                throw error
            } catch let error as HTTPClientError {
                failures += 1
                if failures >= LaunchWatcher.maxConsecutiveFailures { throw CLIError(transport: error, url: client.baseURL) }
            }
        }
    }
}
