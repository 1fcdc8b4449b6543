import ArgumentParser

/// `sweep users create|list|delete` (administrators only).
struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Manage users (administrators only).",
        subcommands: [UserCreateCommand.self, UserListCommand.self, UserDeleteCommand.self])
}
