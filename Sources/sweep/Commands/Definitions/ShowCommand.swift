import ArgumentParser

/// `sweep <kind> show ID`: the stored definition.
struct ShowCommand<Resource: DefinitionResource>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "show", abstract: "Show a \(Resource.noun) definition.")
    }

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The \(Resource.noun) id.", valueName: "id"))
    var id: String

    func run() throws {
        let answer = try options.client().get(Resource.path, id)
        // A definition is JSON by nature; the human form is the same document, indented.
        options.emit(answer) { answer.prettyString }
    }
}
