import ArgumentParser
import Postgres
import SweepStore

/// Mints an API key for an existing user on the server host (e.g. when the admin's key was lost).
struct CreateKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create-key", abstract: "Create an API key for a user; prints it once.")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The username.")
    var username: String

    @Option(help: "A name for the key.")
    var name = "created by sweep-api create-key"

    func run() throws {
        let connection = try PostgresConnection(url: try database.url(), role: Database.systemRole)
        guard let (user, _) = try UserStore.credentials(connection, username: username) else {
            throw ValidationError("no user named '\(username)'")
        }
        let (_, key) = try APIKeyStore.create(connection, userID: user.id, name: name)
        print("SWEEP_API_KEY=\(key)")
    }
}
