import ArgumentParser
import SweepJSON

/// `sweep users delete NAME`: removes the user with all of their data and keys.
struct UserDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a user and all of their data.", aliases: ["rm"])

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The user's name.", valueName: "name"))
    var name: String

    func run() throws {
        let answer = try options.client().request(.delete, ["users", name])
        options.emit(answer ?? ["deleted": .string(name)]) { "Deleted user \(name)." }
    }
}
