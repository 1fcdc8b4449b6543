import Foundation

/// One stored artifact: a user's named file and where its bytes are.
public struct ArtifactRecord: Sendable, Equatable {
    public let name: String
    public let blob: BlobKey
    public let size: Int64
    /// Lowercase hex SHA-256 of the whole file.
    public let sha256: String
    public let createdAt: Date
}
