import ArgumentParser
import Postgres
import SweepStore

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply the migrations that are missing.")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let connection = try PostgresConnection(url: try database.ownerURL())
        let applied = try Migrator(directory: database.migrations).migrate(connection)
        print(applied.isEmpty ? "migrations: up to date" : "migrations: applied \(applied.joined(separator: ", "))")
    }
}
