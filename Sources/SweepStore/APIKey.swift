import Foundation

public struct APIKey: Sendable, Hashable {
    public let id: String
    public let name: String
    public let createdAt: Date
    public let lastUsedAt: Date?
}
