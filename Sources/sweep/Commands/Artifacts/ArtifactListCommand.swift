import ArgumentParser

/// `sweep artifact list`.
struct ArtifactListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List your artifacts.", aliases: ["ls"])

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let answer = try options.client().list("artifacts")
        options.emit(answer) {
            Table(columns: [Table.Column("NAME", "name"), Table.Column("SIZE", "size"), Table.Column("SHA256", "sha256"),
                            Table.Column("CREATED", "created_at")]).render(answer["items"]?.arrayValue ?? [])
        }
    }
}
