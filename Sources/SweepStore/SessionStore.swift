import Postgres
import SweepCrypto

/// Server-side sessions behind the `sweep_session` cookie. Only the SHA-256 of the cookie value is stored, so a
/// database dump cannot be replayed as a login.
public struct SessionStore {
    public static let lifetimeSeconds = 7 * 24 * 3600

    /// Creates a session; returns the cookie value (shown to the browser only).
    public static func create(_ connection: PostgresConnection, userID: UserID) throws -> String {
        let token = SecureRandom.token(byteCount: 32)
        try connection.execute("""
            INSERT INTO sessions (token_hash, user_id, expires_at)
            VALUES (\(Digest.sha256Hex(token)), \(userID), now() + make_interval(secs => \(lifetimeSeconds)))
            """)
        return token
    }

    /// The live session's user, or nil for an unknown, expired or revoked token.
    public static func user(_ connection: PostgresConnection, token: String) throws -> User? {
        try connection.query("""
            SELECT u.id, u.username, u.is_admin, u.created_at
            FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.token_hash = \(Digest.sha256Hex(token)) AND s.revoked_at IS NULL AND s.expires_at > now()
            """).first.map(UserStore.decode)
    }

    public static func revoke(_ connection: PostgresConnection, token: String) throws {
        try connection.execute("UPDATE sessions SET revoked_at = now() WHERE token_hash = \(Digest.sha256Hex(token)) AND revoked_at IS NULL")
    }
}
