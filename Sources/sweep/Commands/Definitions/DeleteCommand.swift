import ArgumentParser
import SweepJSON

/// `sweep <kind> delete ID`.
struct DeleteCommand<Resource: DefinitionResource>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "delete", abstract: "Delete a \(Resource.noun).", aliases: ["rm"])
    }

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The \(Resource.noun) id.", valueName: "id"))
    var id: String

    func run() throws {
        let answer = try options.client().request(.delete, [Resource.path, id])
        options.emit(answer ?? ["deleted": .string(id)]) { "Deleted \(Resource.noun) \(id)." }
    }
}
