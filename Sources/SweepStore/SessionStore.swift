import Postgres
import SweepCrypto

/// Server-side sessions behind the `sweep_session` cookie. Only the SHA-256 of the cookie value is stored, so a
/// database dump cannot be replayed as a login.
public struct SessionStore {
    public static let lifetimeSeconds = 7 * 24 * 3600
    /// A session unused this long has ended (`SWEEP_SESSION_IDLE_SECONDS`).
    public static let defaultIdleSeconds = 12 * 3600

    /// Creates a session; returns the cookie value (shown to the browser only).
    public static func create(_ connection: PostgresConnection, userID: UserID) throws -> String {
        let token = SecureRandom.token(byteCount: 32)
        try connection.execute("""
            INSERT INTO sessions (token_hash, user_id, expires_at)
            VALUES (\(Digest.sha256Hex(token)), \(userID), now() + make_interval(secs => \(lifetimeSeconds)))
            """)
        return token
    }

    /// The live session's user, or nil for an unknown, expired, idle or revoked token. Use moves `last_seen_at`
    /// at most once a minute (a write per request would cost more than the request).
    public static func user(_ connection: PostgresConnection, token: String, idleSeconds: Int = defaultIdleSeconds) throws -> User? {
        let hash = Digest.sha256Hex(token)
        let rows = try connection.query("""
            SELECT u.id, u.username, u.is_admin, u.created_at, s.last_seen_at < now() - interval '1 minute' AS stale
            FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.token_hash = \(hash) AND s.revoked_at IS NULL AND s.expires_at > now()
              AND s.last_seen_at > now() - make_interval(secs => \(idleSeconds))
            """)
        guard let row = rows.first else { return nil }
        if try row.decode(Bool.self, column: "stale") {
            try connection.execute("UPDATE sessions SET last_seen_at = now() WHERE token_hash = \(hash)")
        }
        return try UserStore.decode(row)
    }

    /// Ends every live session of the tenant (`POST /auth/logout-all`); returns how many.
    @discardableResult
    public static func revokeAll(_ tx: TenantTransaction) throws -> Int {
        try tx.connection.execute("UPDATE sessions SET revoked_at = now() WHERE user_id = \(tx.userID) AND revoked_at IS NULL")
    }

    public static func revoke(_ connection: PostgresConnection, token: String) throws {
        try connection.execute("UPDATE sessions SET revoked_at = now() WHERE token_hash = \(Digest.sha256Hex(token)) AND revoked_at IS NULL")
    }
}
