import SweepCrypto

/// A blob's address: its owner first (DESIGN.md §8, the user id leads every key), then a random id that is never
/// reused, so a replaced file never shares a key with its successor.
public struct BlobKey: Sendable, Hashable, CustomStringConvertible {
    public let userID: UserID
    public let id: String

    public init(userID: UserID, id: String) {
        self.userID = userID
        self.id = id
    }

    /// A new key: 16 random bytes as hex.
    public static func fresh(for userID: UserID) -> BlobKey {
        BlobKey(userID: userID, id: Hex.encode(SecureRandom.bytes(16)))
    }

    /// `USER/ID`: the object name in S3-compatible stores.
    public var path: String { "\(userID.rawValue)/\(id)" }

    public var description: String { path }
}
