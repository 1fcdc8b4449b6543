/// How many bytes of files a user may keep (artifacts today; run output files when they land): the user's
/// `user_limits.max_stored_bytes`, else the configured default. `SWEEP_LIMIT_STORED_BYTES` sets that default for
/// everyone (its one home is `LimitDefaults.defaultMaxStoredBytes`); nginx's `client_max_body_size` for artifact
/// uploads is rendered from the same variable (scripts/render-nginx.sh), so the two agree.
public struct StorageLimits: Sendable {
    public let defaultStoredBytes: Int64

    public init(defaultStoredBytes: Int64 = LimitDefaults.defaultMaxStoredBytes) {
        precondition(defaultStoredBytes >= 0)
        self.defaultStoredBytes = defaultStoredBytes
    }

    /// The default as the worker reads it (`LimitDefaults(environment:)`, which refuses a value that is no whole
    /// number of bytes).
    public init(environment: [String: String]) throws(BlobStoreConfigurationError) {
        do {
            self.init(defaultStoredBytes: try LimitDefaults(environment: environment).maxStoredBytes)
        } catch {
            throw BlobStoreConfigurationError("\(error)")
        }
    }

    /// The user's stored-bytes limit: their `user_limits` value when an administrator set one, else the default.
    /// Read in the tenant's transaction (the row policy lets a user read its own limits).
    public func storedBytesLimit(_ tx: TenantTransaction) throws -> Int64 {
        try UserLimitStore.find(tx.connection, userID: tx.userID).maxStoredBytes ?? defaultStoredBytes
    }
}
