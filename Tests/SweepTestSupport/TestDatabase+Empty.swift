import Postgres

extension TestDatabase {
    /// A new database with no migration applied, for tests of a migration over data written before it.
    public static func empty() throws -> String {
        let base = try baseURL()
        let name = "sweep_e_\(UInt64.random(in: 0...UInt64.max) & 0xffff_ffff_ffff)"
        try PostgresConnection(url: base, applicationName: "sweep-tests").simpleQuery(unsafeSQL: "CREATE DATABASE \(name)")
        return url(base, database: name)
    }
}
