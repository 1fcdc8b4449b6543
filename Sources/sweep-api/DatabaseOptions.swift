import ArgumentParser
import Foundation
import Postgres

/// Where PostgreSQL is; shared by every subcommand.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "PostgreSQL URL (default: $SWEEP_DATABASE_URL; for migrate: $SWEEP_DATABASE_OWNER_URL, then $SWEEP_DATABASE_URL).")
    var databaseURL: String?

    @Option(name: .customLong("migrations"), help: "Folder of NNNN_name.sql migrations (default: $SWEEP_MIGRATIONS or ./migrations).")
    var migrationsDirectory: String?

    func url() throws -> String {
        if let databaseURL { return databaseURL }
        if let fromEnvironment = ProcessInfo.processInfo.environment["SWEEP_DATABASE_URL"], !fromEnvironment.isEmpty { return fromEnvironment }
        throw ValidationError("set SWEEP_DATABASE_URL or pass --database-url")
    }

    /// Where migrations run: the schema's owner (`$SWEEP_DATABASE_OWNER_URL`), which the worker and the schedulers
    /// never get. Falls back to the app's URL for a database where one role does everything.
    func ownerURL() throws -> String {
        if let databaseURL { return databaseURL }
        if let owner = ProcessInfo.processInfo.environment["SWEEP_DATABASE_OWNER_URL"], !owner.isEmpty { return owner }
        return try url()
    }

    var migrations: String {
        migrationsDirectory ?? ProcessInfo.processInfo.environment["SWEEP_MIGRATIONS"] ?? "migrations"
    }
}
