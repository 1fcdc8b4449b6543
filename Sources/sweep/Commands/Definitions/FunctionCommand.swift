import ArgumentParser

/// `sweep function …`: function definitions and their code archives.
struct FunctionCommand: ParsableCommand, DefinitionResource {
    static let configuration = CommandConfiguration(
        commandName: "function", abstract: "Upload and manage functions.",
        subcommands: [FunctionUploadCommand.self, ListCommand<Self>.self, ShowCommand<Self>.self, DeleteCommand<Self>.self])

    static let noun = "function"
    static let path = "functions"
    static let idKey = "id"
    static let columns = [Table.Column("ID", "id"), Table.Column("DESTINATION", "destination_id"),
                          Table.Column("FUNCTION", "function_name"), Table.Column("RUNTIME", "runtime"),
                          Table.Column("CODE SHA256", "code_sha256")]
}
