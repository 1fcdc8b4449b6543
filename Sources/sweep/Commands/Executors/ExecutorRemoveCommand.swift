import ArgumentParser
import SweepJSON

/// `sweep executors rm ID`: runs it holds lose their leases at once and are retried elsewhere (or fail when out of attempts).
struct ExecutorRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove an executor; the runs it holds are retried elsewhere at once.", aliases: ["remove"])

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The executor id (from `sweep executors`).", valueName: "id"))
    var id: String

    func run() throws {
        let answer = try options.client().request(.delete, ["executors", id])
        options.emit(answer ?? ["removed": .string(id)]) { "Removed executor \(id)." }
    }
}
