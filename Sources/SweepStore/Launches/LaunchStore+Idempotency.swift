import Postgres

/// The one home of a launch's idempotency key: a launch (`idempotency_key`), a backend call (`Idempotency-Key`) and
/// a child launch (`sweep-child:<run>:<attempt>`) all use it. A key is per user AND workflow (migration 0032): the
/// same key on another workflow is another launch, another user's key never meets this user's.
extension LaunchStore {
    /// The launch this user made of `workflowID` with `key` already, whatever its version, if any (a retried
    /// `/call` joins it without running the interceptor again).
    public func launchID(workflowID: String, idempotencyKey key: String) throws -> String? {
        try tx.connection.query("""
            SELECT id::text AS id FROM launches WHERE user_id = \(tx.userID) AND workflow_id = \(workflowID) AND idempotency_key = \(key)
            """).first.map { try $0.decode(String.self, column: "id") }
    }

    /// The ON CONFLICT target of a launch's insert: the partial unique index of migration 0032, whose predicate it
    /// must name to infer it.
    static let idempotencyConflict = "ON CONFLICT (user_id, workflow_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING"
}
