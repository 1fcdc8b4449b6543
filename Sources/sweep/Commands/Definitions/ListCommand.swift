import ArgumentParser

/// `sweep <kind> list`: every stored definition of the kind, as a table.
struct ListCommand<Resource: DefinitionResource>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "list", abstract: "List your \(Resource.path).", aliases: ["ls"])
    }

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let answer = try options.client().list(Resource.path)
        options.emit(answer) { Table(columns: Resource.columns).render(answer["items"]?.arrayValue ?? []) }
    }
}
