import Synchronization
import SweepCrypto
import SweepStore

/// API key hash -> user, so that authenticating a request usually needs no database round trip.
///
/// Correctness rests on invalidation, not on the TTL: migration 0010's triggers NOTIFY `sweep_auth` with the user
/// id whenever a key is revoked or deleted or its user changes or is deleted, and `AuthCacheListener` drops that
/// user's entries. The cache answers only while that listener is connected (a notification missed while it was not
/// could leave a revoked key cached), and a request that revokes or deletes in this worker clears the cache before
/// its answer leaves (`AuthCacheMiddleware`), so its own next request cannot race the notification. The TTL bounds
/// the damage of anything nobody thought of. Shards keep request threads from queueing on one lock.
public final class AuthCache: Sendable {
    /// A safety net only; invalidation is by NOTIFY.
    public static let defaultTimeToLive: Duration = .seconds(30)
    static let shardCount = 16
    /// Entries per shard before the shard is emptied (keys in use at once are far fewer).
    static let shardCapacity = 4_096

    struct Entry {
        let user: User
        let expires: ContinuousClock.Instant
    }

    /// One shard's entries behind a reader-writer lock (hits, the common case, only read).
    final class Shard: @unchecked Sendable {
        // @unchecked: `entries` is only touched inside `lock`.
        let lock = ReadWriteLock()
        var entries: [String: Entry] = [:]
    }

    let timeToLive: Duration
    private let shards: [Shard]
    /// Bumped by every invalidation: a lookup that began before one may not store what it read.
    private let generation = Atomic<Int>(0)
    private let listening = Atomic<Bool>(false)

    public init(timeToLive: Duration = AuthCache.defaultTimeToLive) {
        self.timeToLive = timeToLive
        shards = (0..<Self.shardCount).map { _ in Shard() }
    }

    /// True while invalidations can reach this cache (the listener is connected and listening).
    public var isActive: Bool { listening.load(ordering: .acquiring) && timeToLive > .zero }

    /// The user of a key hash, from the cache or from `load` (which runs without any lock held).
    func user(keyHash: String, load: () throws -> User?) rethrows -> User? {
        guard isActive else { return try load() }
        let shard = shards[Self.shardIndex(keyHash)]
        let now = ContinuousClock.now
        if let entry = shard.lock.read({ shard.entries[keyHash] }), entry.expires > now { return entry.user }
        let before = generation.load(ordering: .acquiring)
        guard let user = try load() else { return nil }
        shard.lock.write {
            // Checked under the shard lock, which invalidations also take, so no stale entry slips in after one.
            guard generation.load(ordering: .acquiring) == before, isActive else { return }
            if shard.entries.count >= Self.shardCapacity { shard.entries.removeAll(keepingCapacity: true) }
            shard.entries[keyHash] = Entry(user: user, expires: now + timeToLive)
        }
        return user
    }

    /// Drops every entry of one user (a notification named them).
    public func invalidate(userID: Int64) {
        generation.add(1, ordering: .releasing)
        for shard in shards {
            shard.lock.write { shard.entries = shard.entries.filter { $0.value.user.id.rawValue != userID } }
        }
    }

    public func invalidateAll() {
        generation.add(1, ordering: .releasing)
        for shard in shards { shard.lock.write { shard.entries.removeAll() } }
    }

    /// Called by the listener: the cache may answer only between `connected` and `disconnected`.
    public func listenerConnected() {
        invalidateAll()  // notifications sent while nobody listened are lost
        listening.store(true, ordering: .releasing)
    }

    public func listenerDisconnected() {
        listening.store(false, ordering: .releasing)
        invalidateAll()
    }

    private static func shardIndex(_ hash: String) -> Int {
        Int(hash.utf8.last ?? 0) % shardCount
    }
}
