import Foundation
import Postgres

/// Access to PostgreSQL for the API and the scheduler. Tenant work goes through `tenant(_:)`, which runs the body
/// in a transaction under the `sweep_tenant` role with `sweep.user_id` set, so row-level security backs up the
/// `user_id = …` that every tenant query also states. `system(_:)` is for paths that are not a tenant's request
/// (login, key lookup, the scheduler).
public final class Database: Sendable {
    public let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// A transaction chosen as a deadlock victim (or failing serialization) is run again, up to twice: the body
    /// must be a pure function of the database. A scheduler's claim holds rows of a launch before it takes the
    /// launch's lock, and a cancel takes them in the other order, so two can meet; PostgreSQL ends one.
    public func tenant<T>(_ userID: UserID, _ body: (TenantTransaction) throws -> T) throws -> T {
        var retries = 0
        while true {
            do {
                return try tenantOnce(userID, body)
            } catch let error as PostgresError where (error.isDeadlock || error.isSerializationFailure) && retries < 2 {
                retries += 1
                // Back off a little before the retry: the winner of the deadlock was woken by our abort and needs
                // a moment to take the locks it waited for; retrying at once can barge in ahead of it (a row lock
                // freed by an aborted transaction goes to whoever asks first) and meet it in the same cycle again.
                Thread.sleep(forTimeInterval: Double.random(in: 0.01...0.03) * Double(retries))
            }
        }
    }

    private func tenantOnce<T>(_ userID: UserID, _ body: (TenantTransaction) throws -> T) throws -> T {
        try pool.withConnection { connection in
            try connection.transaction { connection in
                // set_config(…, true) is SET LOCAL: both end with the transaction, so a pooled connection never
                // carries one tenant's scope into the next request.
                _ = try connection.query("SELECT set_config('role', 'sweep_tenant', true), set_config('sweep.user_id', \(String(userID.rawValue)), true)")
                return try body(TenantTransaction(connection: connection, userID: userID))
            }
        }
    }

    public func system<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try pool.withConnection { connection in try body(connection) }
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
