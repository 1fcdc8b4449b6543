import ArgumentParser
import Postgres
import SweepCrypto
import SweepStore

/// Bootstraps users on the server host (the first admin cannot be created over the API).
struct CreateUserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-user",
        abstract: "Create a user; prints its generated password and a new API key (shown once).")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The username.")
    var username: String

    @Flag(help: "Make the user an administrator.")
    var admin = false

    @Flag(name: .customLong("if-no-admin"), help: "Do nothing (exit 0, print nothing) when an administrator already exists.")
    var ifNoAdmin = false

    func run() throws {
        let connection = try PostgresConnection(url: try database.url(), role: Database.systemRole)
        if ifNoAdmin, try UserStore.adminExists(connection) { return }
        let password = SecureRandom.token(byteCount: 15)
        let user: User
        do {
            user = try UserStore.create(connection, username: username, password: password, isAdmin: admin)
        } catch UserStore.CreateError.exists {
            throw ValidationError("a user named '\(username)' already exists")
        }
        let (_, key) = try APIKeyStore.create(connection, userID: user.id, name: "created by sweep-api create-user")
        // Shell-friendly lines: `eval "$(sweep-api create-user …)"` works.
        print("SWEEP_USERNAME=\(user.username)")
        print("SWEEP_PASSWORD=\(password)")
        print("SWEEP_API_KEY=\(key)")
    }
}
