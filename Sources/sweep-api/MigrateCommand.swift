import ArgumentParser
import Foundation
import Postgres
import SweepCrypto
import SweepStore

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply the migrations that are missing.")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let connection = try PostgresConnection(url: try database.ownerURL())
        let applied = try Migrator(directory: database.migrations).migrate(connection)
        print(applied.isEmpty ? "migrations: up to date" : "migrations: applied \(applied.joined(separator: ", "))")
        if let path = ProcessInfo.processInfo.environment["SWEEP_SECRET_KEY_FILE"], !path.isEmpty {
            try sealStoredCredentials(connection, box: try SecretBox(keyFile: path))
        }
    }

    /// Credentials stored before migration 0008 are plain JSON text: seal them now that the key is at hand.
    private func sealStoredCredentials(_ connection: PostgresConnection, box: SecretBox) throws {
        let unsealed = try DefinitionStore.unsealedCredentials(connection)
        for row in unsealed {
            let sealed = box.seal(Array(row.plaintext.utf8),
                                  associatedData: DefinitionStore.credentialsAssociatedData(userID: row.userID, destinationID: row.id))
            try DefinitionStore.storeSealed(connection, userID: row.userID, id: row.id, sealed: sealed, replacing: row.plaintext)
        }
        if !unsealed.isEmpty { print("credentials: sealed those of \(unsealed.count) destination(s)") }
    }
}
