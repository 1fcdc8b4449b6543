import ArgumentParser

/// `sweep launches [--state S] [--workflow W]`: launch summaries, newest first.
struct LaunchesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "launches", abstract: "List launches, newest first.")

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("Only launches in this state: \(LaunchStatus.all.joined(separator: ", ")).", valueName: "state"))
    var state: String?

    @Option(help: ArgumentHelp("Only launches of this workflow.", valueName: "workflow"))
    var workflow: String?

    @Option(help: ArgumentHelp("Show at most this many launches.", valueName: "n"))
    var limit = 50

    func validate() throws {
        if let state, !LaunchStatus.all.contains(state) {
            throw ValidationError("--state must be one of \(LaunchStatus.all.joined(separator: ", "))")
        }
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let answer = try options.client().list("launches", query: [("state", state), ("workflow_id", workflow)], limit: limit)
        options.emit(answer) { Table(columns: LaunchStatus.summaryColumns).render(answer["items"]?.arrayValue ?? []) }
    }
}
