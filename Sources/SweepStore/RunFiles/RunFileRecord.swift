import Foundation

/// One output file of a run: its name in the run's working directory, where its bytes are, and what they are.
public struct RunFileRecord: Sendable, Equatable {
    public let name: String
    public let blob: BlobKey
    public let size: Int64
    /// Lowercase hex SHA-256 of the whole file.
    public let sha256: String
    public let createdAt: Date
}
