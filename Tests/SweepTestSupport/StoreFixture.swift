import Postgres
import SweepStore

/// What a suite of the store on a real PostgreSQL starts each test from: a database of its own with every migration
/// (`TestDatabase.fresh`), the app's pools over it (4 connections each, as tests need few) and a `StoreDriver` that
/// moves runs as a scheduler would. Suites hold one through `StoreSuite`.
public struct StoreFixture {
    public let url: String
    public let database: Database
    public let driver: StoreDriver

    public init() throws {
        url = try TestDatabase.fresh()
        database = Database(url: url, maxConnections: 4)
        driver = try StoreDriver(url: url)
    }
}
