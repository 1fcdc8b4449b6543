/// How many bytes of files a user may keep (artifacts today; run output files when they land).
/// `SWEEP_LIMIT_STORED_BYTES` sets the default for everyone; nginx's `client_max_body_size` for artifact uploads
/// is rendered from the same variable (scripts/render-nginx.sh), so the two agree.
public struct StorageLimits: Sendable {
    /// 1 GiB. Keep in step with the default in scripts/render-nginx.sh.
    public static let defaultStoredBytes: Int64 = 1 << 30

    public let defaultStoredBytes: Int64

    public init(defaultStoredBytes: Int64 = Self.defaultStoredBytes) {
        precondition(defaultStoredBytes >= 0)
        self.defaultStoredBytes = defaultStoredBytes
    }

    public init(environment: [String: String]) throws(BlobStoreConfigurationError) {
        guard let text = environment["SWEEP_LIMIT_STORED_BYTES"], !text.isEmpty else {
            self.init()
            return
        }
        guard let value = Int64(text), value >= 0 else {
            throw BlobStoreConfigurationError("SWEEP_LIMIT_STORED_BYTES must be a whole number of bytes")
        }
        self.init(defaultStoredBytes: value)
    }

    /// The user's stored-bytes limit. HOOK for per-user limits: when the `user_limits` table (branch i10b) lands,
    /// read its stored-bytes column for `tx.userID` here and fall back to the default when it has no row.
    public func storedBytesLimit(_ tx: TenantTransaction) throws -> Int64 {
        defaultStoredBytes
    }
}
