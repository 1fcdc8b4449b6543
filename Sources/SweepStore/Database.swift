import Foundation
import Postgres

/// Access to PostgreSQL for the API and the scheduler. Tenant work goes through `tenant(_:)`, which runs the body
/// in a transaction under the `sweep_tenant` role with `sweep.user_id` set, so row-level security backs up the
/// `user_id = …` that every tenant query also states. `system(_:)` is for paths that are not a tenant's request
/// (login, key lookup, the scheduler).
///
/// The login role (sweep_app) is neither superuser nor BYPASSRLS: on its own it sees no tenant rows. System paths
/// use a second pool whose connections `SET ROLE sweep_system` once at connect (migration 0008), so choosing a
/// path costs no round trip and a tenant connection can never be left in the system role.
public final class Database: Sendable {
    /// The NOLOGIN role whose row policies admit every row; the login role may SET ROLE to it.
    public static let systemRole = "sweep_system"

    /// Connections in the login role: on their own they see no tenant rows. Only `tenant {}` uses them. (Named so
    /// that code written against the old single `pool`, which ran as the owner, fails to compile rather than
    /// silently seeing nothing: cross-tenant work goes through `system {}`.)
    let tenantPool: PostgresPool
    let systemPool: PostgresPool
    /// The app's database URL (for LISTEN connections, which need no table rights).
    public var url: String { tenantPool.configuration.url }

    public init(pool: PostgresPool, systemPool: PostgresPool) {
        self.tenantPool = pool
        self.systemPool = systemPool
    }

    /// A tenant pool and a system pool of `maxConnections` each (both open lazily).
    public convenience init(url: String, maxConnections: Int) {
        self.init(
            pool: PostgresPool(url: url, maxConnections: maxConnections),
            systemPool: PostgresPool(PostgresPool.Configuration(
                url: url, maxConnections: maxConnections, applicationName: "sweep-system", role: Self.systemRole)))
    }

    public func close() {
        tenantPool.close()
        systemPool.close()
    }

    /// A transaction chosen as a deadlock victim (or failing serialization) is run again, up to twice: the body
    /// must be a pure function of the database. A scheduler's claim holds rows of a launch before it takes the
    /// launch's lock, and a cancel takes them in the other order, so two can meet; PostgreSQL ends one.
    public func tenant<T>(_ userID: UserID, isolation: PostgresConnection.IsolationLevel? = nil, _ body: (TenantTransaction) throws -> T) throws -> T {
        var retries = 0
        while true {
            do {
                return try tenantOnce(userID, isolation, body)
            } catch let error as PostgresError where (error.isDeadlock || error.isSerializationFailure) && retries < 2 {
                retries += 1
                // Back off a little before the retry: the winner of the deadlock was woken by our abort and needs
                // a moment to take the locks it waited for; retrying at once can barge in ahead of it (a row lock
                // freed by an aborted transaction goes to whoever asks first) and meet it in the same cycle again.
                Thread.sleep(forTimeInterval: Double.random(in: 0.01...0.03) * Double(retries))
            }
        }
    }

    private func tenantOnce<T>(_ userID: UserID, _ isolation: PostgresConnection.IsolationLevel?, _ body: (TenantTransaction) throws -> T) throws -> T {
        try tenantPool.withConnection { connection in
            try connection.transaction(isolation: isolation) { connection in
                try Self.enterTenant(connection, userID)
                return try body(TenantTransaction(connection: connection, userID: userID))
            }
        }
    }

    /// `tenant(_:)` on a connection of its own if the pool has one free now; nil, with `body` not run, if none is.
    /// For a read that overlaps a transaction its caller holds (`PostgresPool.withConnectionIfFree`). Not retried:
    /// meant for reads, which meet no deadlock.
    public func tenantIfFree<T>(_ userID: UserID, _ body: (TenantTransaction) throws -> T) throws -> T? {
        try tenantPool.withConnectionIfFree { connection in
            try connection.transaction { connection in
                try Self.enterTenant(connection, userID)
                return try body(TenantTransaction(connection: connection, userID: userID))
            }
        }
    }

    /// The transaction's tenant scope. set_config(…, true) is SET LOCAL: both end with the transaction, so a pooled
    /// connection never carries one tenant's scope into the next request.
    private static func enterTenant(_ connection: PostgresConnection, _ userID: UserID) throws {
        _ = try connection.query("SELECT set_config('role', 'sweep_tenant', true), set_config('sweep.user_id', \(String(userID.rawValue)), true)")
    }

    public func system<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try systemPool.withConnection { connection in try body(connection) }
    }
}

/// A transaction scoped to one user. Only `Database.tenant` makes one.
public struct TenantTransaction {
    public let connection: PostgresConnection
    public let userID: UserID
}

public struct UserID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
}

extension UserID: PostgresEncodable {
    public var postgresBind: PostgresBind { rawValue.postgresBind }
}
