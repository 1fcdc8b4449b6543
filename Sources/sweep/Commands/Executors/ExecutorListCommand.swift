import ArgumentParser

/// `sweep executors list`: id, name, type, whether it polled lately, and the runs it holds.
struct ExecutorListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List your executors.", aliases: ["ls"])

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let answer = try options.client().list("executors")
        options.emit(answer) {
            Table(columns: [Table.Column("ID", "id"), Table.Column("NAME", "name"), Table.Column("TYPE", "type"),
                            Table.Column("ONLINE", "online"), Table.Column("RUNNING", "running"),
                            Table.Column("LAST SEEN", "last_seen_at")]).render(answer["items"]?.arrayValue ?? [])
        }
    }
}
