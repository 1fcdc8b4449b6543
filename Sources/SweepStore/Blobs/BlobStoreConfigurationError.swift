/// A blob-store setting (`SWEEP_BLOB_STORE`, `SWEEP_LIMIT_STORED_BYTES`, the AWS keys) that cannot be used; the
/// worker refuses to start with it.
public struct BlobStoreConfigurationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
