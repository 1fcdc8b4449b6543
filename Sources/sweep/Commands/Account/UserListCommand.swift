import ArgumentParser

/// `sweep users list`.
struct UserListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List users.", aliases: ["ls"])

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let answer = try options.client().list("users")
        options.emit(answer) {
            Table(columns: [Table.Column("USERNAME", "username"), Table.Column("ADMIN", "is_admin"),
                            Table.Column("CREATED", "created_at")]).render(answer["items"]?.arrayValue ?? [])
        }
    }
}
