import Foundation
import Postgres
import SweepCrypto

/// Users: creation, lookup for login, admin listing and deletion (which cascades to all the user's data).
public struct UserStore {
    public enum CreateError: Error { case exists }

    public static func create(_ connection: PostgresConnection, username: String, password: String, isAdmin: Bool) throws -> User {
        let hash = try PasswordHash.make(password)
        do {
            let rows = try connection.query("""
                INSERT INTO users (username, password_hash, is_admin) VALUES (\(username), \(hash), \(isAdmin))
                RETURNING id, username, is_admin, created_at
                """)
            return try decode(rows[0])
        } catch let error as PostgresError where error.isUniqueViolation {
            throw CreateError.exists
        }
    }

    /// The user and its password hash, for login.
    public static func credentials(_ connection: PostgresConnection, username: String) throws -> (User, String)? {
        let rows = try connection.query("SELECT id, username, is_admin, created_at, password_hash FROM users WHERE username = \(username)")
        guard let row = rows.first else { return nil }
        return (try decode(row), try row.decode(String.self, column: "password_hash"))
    }

    public static func find(_ connection: PostgresConnection, id: UserID) throws -> User? {
        try connection.query("SELECT id, username, is_admin, created_at FROM users WHERE id = \(id)").first.map(decode)
    }

    public static func find(_ connection: PostgresConnection, username: String) throws -> User? {
        try connection.query("SELECT id, username, is_admin, created_at FROM users WHERE username = \(username)").first.map(decode)
    }

    public static func list(_ connection: PostgresConnection, after cursor: String?, limit: Int) throws -> [User] {
        try connection.query("""
            SELECT id, username, is_admin, created_at FROM users
            WHERE \(cursor == nil) OR username > \(cursor ?? "")
            ORDER BY username LIMIT \(limit)
            """).map(decode)
    }

    /// True when a user was deleted.
    public static func delete(_ connection: PostgresConnection, username: String) throws -> Bool {
        try connection.execute("DELETE FROM users WHERE username = \(username)") > 0
    }

    public static func adminExists(_ connection: PostgresConnection) throws -> Bool {
        try connection.query("SELECT 1 AS one FROM users WHERE is_admin LIMIT 1").first != nil
    }

    static func decode(_ row: PostgresRow) throws -> User {
        User(
            id: UserID(try row.decode(Int64.self, column: "id")),
            username: try row.decode(String.self, column: "username"),
            isAdmin: try row.decode(Bool.self, column: "is_admin"),
            createdAt: try row.decode(Date.self, column: "created_at"))
    }
}
