import Foundation

public struct User: Sendable, Hashable {
    public let id: UserID
    public let username: String
    public let isAdmin: Bool
    public let createdAt: Date
}
