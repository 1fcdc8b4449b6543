import ArgumentParser

/// `sweep ps` / `psw` / `pss` / `psf`: launches running, waiting, succeeded, failed.
struct PsCommand<Filter: LaunchFilter>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: Filter.commandName, abstract: "List \(Filter.state) launches.")
    }

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("Show at most this many launches.", valueName: "n"))
    var limit = 50

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let answer = try options.client().list("launches", query: [("state", Filter.state.rawValue)], limit: limit)
        options.emit(answer) { Table(columns: LaunchStatus.summaryColumns).render(answer["items"]?.arrayValue ?? []) }
    }
}
