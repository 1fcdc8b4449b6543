import ArgumentParser
import SweepJSON

/// `sweep artifact rm NAME`.
struct ArtifactRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete an artifact.", aliases: ["delete"])

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The artifact's name.", valueName: "name"))
    var name: String

    func run() throws {
        let answer = try options.client().request(.delete, ["artifacts", name])
        options.emit(answer ?? ["deleted": .string(name)]) { "Deleted artifact \(name)." }
    }
}
