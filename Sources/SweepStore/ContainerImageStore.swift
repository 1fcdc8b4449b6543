import Postgres

/// Uploaded container images (migration 0009): one per user and `image_name:image_tag`, with the archive any
/// scheduler host loads into its podman. Every statement on `container_images` lives here.
public struct ContainerImageStore {
    public enum Stored: Sendable, Equatable { case stored, exists }

    /// What a scheduler needs to run an image: podman runs it by `imageID`, loading the archive first where absent.
    public struct Runnable: Sendable, Equatable {
        public let imageID: String
        public let digest: String
    }

    let tx: TenantTransaction

    public init(_ tx: TenantTransaction) {
        self.tx = tx
    }

    /// Stores the archive under `name:tag`. Without `overwrite`, an existing image is kept and `.exists` returned
    /// (SWEEP's `upload_container_def` without `--overwrite`).
    public func store(name: String, tag: String, imageID: String, digest: String, archive: [UInt8], overwrite: Bool) throws -> Stored {
        let changed = try tx.connection.execute("""
            INSERT INTO container_images (user_id, image_name, image_tag, image_id, digest, size, archive)
            VALUES (\(tx.userID), \(name), \(tag), \(imageID), \(digest), \(Int64(archive.count)), \(archive))
            ON CONFLICT (user_id, image_name, image_tag) DO UPDATE
            SET image_id = excluded.image_id, digest = excluded.digest, size = excluded.size, archive = excluded.archive,
                updated_at = now()
            WHERE \(overwrite)
            """)
        return changed > 0 ? .stored : .exists
    }

    public func find(name: String, tag: String) throws -> Runnable? {
        try Self.runnable(tx.connection, userID: tx.userID, name: name, tag: tag)
    }

    /// For schedulers, which read as the system on their own connection: the user's own image of that name only.
    public static func runnable(_ connection: PostgresConnection, userID: UserID, name: String, tag: String) throws -> Runnable? {
        try connection.query("""
            SELECT image_id, digest FROM container_images WHERE user_id = \(userID) AND image_name = \(name) AND image_tag = \(tag)
            """).first.map { Runnable(imageID: try $0.decode(String.self, column: "image_id"), digest: try $0.decode(String.self, column: "digest")) }
    }

    /// The archive of one of the user's images, by the id podman will run (nil if it was replaced meanwhile).
    public static func archive(_ connection: PostgresConnection, userID: UserID, imageID: String) throws -> [UInt8]? {
        try connection.query("""
            SELECT archive FROM container_images WHERE user_id = \(userID) AND image_id = \(imageID) LIMIT 1
            """).first.map { try $0.decode([UInt8].self, column: "archive") }
    }
}
