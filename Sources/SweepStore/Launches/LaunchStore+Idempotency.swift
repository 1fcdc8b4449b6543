import Postgres

extension LaunchStore {
    /// The launch a caller made with `key` already, if any (a retried `/call` joins it without running the
    /// interceptor again).
    public func launchID(idempotencyKey key: String) throws -> String? {
        try tx.connection.query("SELECT id::text AS id FROM launches WHERE user_id = \(tx.userID) AND idempotency_key = \(key)")
            .first.map { try $0.decode(String.self, column: "id") }
    }
}
