import ArgumentParser

/// `sweep executors [list|rm ID]`: the remote executors of your user (API.md v1.1 "Executors").
struct ExecutorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "executors", abstract: "List or remove your remote executors.",
        subcommands: [ExecutorListCommand.self, ExecutorRemoveCommand.self], defaultSubcommand: ExecutorListCommand.self)
}
