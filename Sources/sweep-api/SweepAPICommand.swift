import ArgumentParser
import Foundation

@main
struct SweepAPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep-api",
        abstract: "Sweep's API worker (FastCGI behind nginx) and its server-side administration.",
        subcommands: [ServeCommand.self, MigrateCommand.self, CreateUserCommand.self, CreateKeyCommand.self, RoutesCommand.self],
        defaultSubcommand: ServeCommand.self)
}
