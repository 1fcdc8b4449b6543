import ArgumentParser
import Foundation
import SweepJSON

/// `sweep launch WORKFLOW [--input JSON|@file] [--wait] [--watch] [--idempotency-key K] [--workflow-version N]`.
struct LaunchStartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Launch a workflow (the default: `sweep launch WORKFLOW`).")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The workflow id.", valueName: "workflow"))
    var workflow: String

    @Option(help: ArgumentHelp("The launch input: inline JSON, or @file (@- for stdin).", valueName: "json"))
    var input: String?

    @Flag(help: "Wait until the launch ends; exit 1 if it failed or was cancelled.")
    var wait = false

    @Flag(help: "Follow the launch's events until it ends (like `sweep watch`); exit 1 if it failed or was cancelled.")
    var watch = false

    @Option(help: ArgumentHelp("Launching the same workflow again with the same key returns its first launch.", valueName: "key"))
    var idempotencyKey: String?

    // Not --version: the root command's --version prints the CLI's own.
    @Option(help: ArgumentHelp("Launch this (older) version of the workflow instead of the latest.", valueName: "n"))
    var workflowVersion: Int?

    @Option(help: ArgumentHelp("With --wait, give up (exit 5) after this many seconds.", valueName: "seconds"))
    var timeout: Int?

    func validate() throws {
        if let timeout, timeout < 1 { throw ValidationError("--timeout must be at least 1 second") }
        if let workflowVersion, workflowVersion < 1 { throw ValidationError("--workflow-version must be at least 1") }
        if timeout != nil, !wait { throw ValidationError("--timeout needs --wait") }
        if let input, !input.hasPrefix("@"), (try? JSONParser.parse(input)) == nil {
            throw ValidationError("--input is not valid JSON (use @file to read a file)")
        }
    }

    func run() throws {
        var body: [String: JSONValue] = [:]
        if let input { body["input"] = try JSONInput.parseArgument(input) }
        if let idempotencyKey { body["idempotency_key"] = .string(idempotencyKey) }
        if let workflowVersion { body["version"] = .int(Int64(workflowVersion)) }
        // The API can hold the request until the launch ends (up to 60 s); longer launches are polled after.
        if wait && !watch { body["wait"] = .int(Int64(min(timeout ?? 30, 30))) }
        let client = try options.client()
        let response = try client.exchange(.post, client.url(["workflows", workflow, "launches"]),
                                           body: JSONValue.object(body).jsonBytes)
        guard let answer = try APIClient.decode(response), let id = answer["launch_id"]?.stringValue else {
            throw CLIError(.serverError, "the server did not return a launch id")
        }

        if watch {
            if !options.json && Terminal.isInteractiveOutput { print("Launched \(id).") }
            try LaunchWatcher(client: client, launchID: id, json: options.json).run()
            return
        }
        guard wait else {
            options.emit(answer) { "Launched \(id) (workflow \(answer["workflow_id"]?.cellText ?? workflow), version \(answer["version"]?.cellText ?? "-")): \(answer["state"]?.cellText ?? "-")" }
            return
        }
        let status = LaunchStatus.isTerminal(answer) && answer["tasks"] != nil
            ? answer : try poll(client, id)
        options.emit(status) { LaunchStatus.describe(status) }
        try LaunchStatus.checkSucceeded(status)
    }

    private func poll(_ client: APIClient, _ id: String) throws(CLIError) -> JSONValue {
        let deadline = timeout.map { Date().addingTimeInterval(Double($0)) }
        var delay = 0.2
        while true {
            let status = try client.get("launches", id)
            if LaunchStatus.isTerminal(status) { return status }
            if let deadline, Date() > deadline {
                throw CLIError(.unreachable, "launch \(id) still \(status["state"]?.cellText ?? "running") after \(timeout ?? 0) s")
            }
            Thread.sleep(forTimeInterval: delay)
            delay = min(delay * 1.5, 2)
        }
    }
}
