import Foundation

/// A registered remote executor (`executors`): it pulls its own user's runs of its `type`.
public struct ExecutorRecord: Sendable, Hashable {
    public let id: String
    public let name: String
    public let type: String
    public let createdAt: Date
    public let lastSeenAt: Date
    /// Asked for work within `ExecutorStore.onlineWindowSeconds`.
    public let online: Bool
    /// Runs it holds a lease on.
    public let running: Int

    /// The `claimed_by` of the runs it holds (schedulers use their own ids there).
    public var claimant: String { ExecutorRecord.claimant(id) }

    public static func claimant(_ id: String) -> String { "executor:" + id }
}
