import ArgumentParser

/// `sweep destination …`: where tasks run (`local`, `http`, `AWS`, `Azure`).
struct DestinationCommand: ParsableCommand, DefinitionResource {
    static let configuration = CommandConfiguration(
        commandName: "destination", abstract: "Register and manage destinations.",
        subcommands: [RegisterCommand<Self>.self, ListCommand<Self>.self, ShowCommand<Self>.self, DeleteCommand<Self>.self])

    static let noun = "destination"
    static let path = "destinations"
    static let idKey = "id"
    static let columns = [Table.Column("ID", "id"), Table.Column("PROVIDER", "cloud_provider"),
                          Table.Column("BASE URL", "base_url")]
}
