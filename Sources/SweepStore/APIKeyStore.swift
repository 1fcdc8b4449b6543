import Foundation
import Postgres
import SweepCrypto

/// API keys: 32 random bytes shown once as `sk_…`; only their SHA-256 is stored (a slow hash adds nothing for a
/// key with 256 bits of entropy, and lookups stay one index probe).
public struct APIKeyStore {
    static let prefix = "sk_"

    /// Creates a key; returns it with the secret, which is never retrievable again.
    public static func create(_ tx: TenantTransaction, name: String) throws -> (APIKey, String) {
        try create(tx.connection, userID: tx.userID, name: name)
    }

    /// For the server-side bootstrap (`sweep-api create-user`), outside a tenant request.
    public static func create(_ connection: PostgresConnection, userID: UserID, name: String) throws -> (APIKey, String) {
        let secret = prefix + SecureRandom.token(byteCount: 32)
        let id = "key_" + Hex.encode(SecureRandom.bytes(8))
        let rows = try connection.query("""
            INSERT INTO api_keys (id, user_id, name, key_hash) VALUES (\(id), \(userID), \(name), \(Digest.sha256Hex(secret)))
            RETURNING id, name, created_at, last_used_at
            """)
        return (try decode(rows[0]), secret)
    }

    /// The owner of a live key, recording its use at most once a minute (a write per request would cost more
    /// than the request).
    public static func user(_ connection: PostgresConnection, secret: String) throws -> User? {
        guard secret.hasPrefix(prefix) else { return nil }
        let hash = Digest.sha256Hex(secret)
        let rows = try connection.query("""
            SELECT u.id, u.username, u.is_admin, u.created_at, k.id AS key_id,
                   (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute') AS stale
            FROM api_keys k JOIN users u ON u.id = k.user_id
            WHERE k.key_hash = \(hash) AND k.revoked_at IS NULL
            """)
        guard let row = rows.first else { return nil }
        if try row.decode(Bool.self, column: "stale") {
            try connection.execute("UPDATE api_keys SET last_used_at = now() WHERE id = \(try row.decode(String.self, column: "key_id"))")
        }
        return try UserStore.decode(row)
    }

    public static func list(_ tx: TenantTransaction, after cursor: String?, limit: Int) throws -> [APIKey] {
        try tx.connection.query("""
            SELECT id, name, created_at, last_used_at FROM api_keys
            WHERE user_id = \(tx.userID) AND revoked_at IS NULL AND (\(cursor == nil) OR id > \(cursor ?? ""))
            ORDER BY id LIMIT \(limit)
            """).map(decode)
    }

    /// True when a live key of this user was revoked.
    public static func revoke(_ tx: TenantTransaction, id: String) throws -> Bool {
        try tx.connection.execute("UPDATE api_keys SET revoked_at = now() WHERE user_id = \(tx.userID) AND id = \(id) AND revoked_at IS NULL") > 0
    }

    static func decode(_ row: PostgresRow) throws -> APIKey {
        APIKey(
            id: try row.decode(String.self, column: "id"),
            name: try row.decode(String.self, column: "name"),
            createdAt: try row.decode(Date.self, column: "created_at"),
            lastUsedAt: try row.decode(Date?.self, column: "last_used_at"))
    }
}
