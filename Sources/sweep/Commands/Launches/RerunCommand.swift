import ArgumentParser
import SweepJSON

/// `sweep rerun LAUNCH [--from-failed | --task T ...] [--watch]`: run an ended launch again from what failed, or from
/// named tasks and everything downstream of them; succeeded runs keep their outputs.
struct RerunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerun", abstract: "Re-run an ended launch from its failed tasks, or from named tasks and their downstream.",
        discussion: "Without --task, re-runs what failed, was upstream_failed or cancelled (as --from-failed).")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The launch id.", valueName: "launch"))
    var launch: String

    @Flag(help: "Re-run the runs that failed, were upstream_failed or cancelled (the default).")
    var fromFailed = false

    @Option(name: .customLong("task"), help: ArgumentHelp("Re-run this task and everything downstream of it (repeatable).", valueName: "task"))
    var tasks: [String] = []

    @Flag(help: "Follow the launch's events until it ends again (like `sweep watch`); exit 1 if it failed or was cancelled.")
    var watch = false

    func validate() throws {
        if fromFailed && !tasks.isEmpty { throw ValidationError("give --from-failed or --task, not both") }
    }

    func run() throws {
        let body: JSONValue = tasks.isEmpty ? ["from": "failed"] : ["tasks": .array(tasks.map(JSONValue.string))]
        let client = try options.client()
        let answer = try client.request(.post, ["launches", launch, "rerun"], json: body)
        if watch {
            if !options.json && Terminal.isInteractiveOutput { print("Re-running \(launch).") }
            try LaunchWatcher(client: client, launchID: launch, json: options.json).run()
            return
        }
        options.emit(answer) {
            let runs = answer?["rerun"]?["runs"]?.intValue ?? 0
            return "Re-running launch \(launch): \(runs) run\(runs == 1 ? "" : "s") re-opened."
        }
    }
}
