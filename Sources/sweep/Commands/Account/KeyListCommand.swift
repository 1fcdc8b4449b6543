import ArgumentParser

/// `sweep keys list`.
struct KeyListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List your API keys (never the secrets).", aliases: ["ls"])

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let answer = try options.client().list("api-keys")
        options.emit(answer) {
            Table(columns: [Table.Column("ID", "id"), Table.Column("NAME", "name"), Table.Column("CREATED", "created_at"),
                            Table.Column("LAST USED", "last_used_at")]).render(answer["items"]?.arrayValue ?? [])
        }
    }
}
