import Foundation
import Logging
import Postgres
import SweepStore

/// A maintenance service (DESIGN §4): deletes the blobs of uploads that never finished. An artifact upload or a run's
/// output file journals its blob in `pending_blobs` before the first byte and clears the entry in the transaction
/// that points a row at it (`PendingBlobStore`); a worker or scheduler killed in between (mid-upload, or after the
/// last byte but before that row) leaves the entry, and a blob nothing will ever point at: whole or partial chunks
/// committed by PostgreSQL, or an object in S3.
///
/// Every scheduler loop runs it with no leader: entries are taken oldest first, `FOR UPDATE SKIP LOCKED`, a small
/// batch per transaction, their blobs deleted through the configured store before the entries go (so a crash mid-pass
/// leaves them for the next one; deleting a blob twice is harmless). An entry whose blob a row points at after all is
/// only cleared. An upload still running past the grace period is refused when it finishes
/// (`BlobError.sweptWhileUploading`), never left pointing at a deleted blob: its `finish` waits on the sweeper's row
/// lock and then finds the entry gone. The clock is injected so tests move time instead of waiting.
struct UnfinishedUploadSweeper {
    /// Entries looked at per pass; a full batch makes the loop look again soon.
    static let batch = 50
    /// `SWEEP_BLOB_UPLOAD_GRACE_SECONDS`: how long an upload may take before its blob counts as left behind. Longer
    /// than any upload (S3BlobStore's transfer timeout is 6 hours); the bytes wait this long before they are freed.
    static let defaultGraceSeconds = 24 * 3600

    let blobs: any BlobStore
    var graceSeconds = Self.defaultGraceSeconds
    var clock: TransitionClock = .database
    var logger = Logger(label: "sweep.unfinished-uploads")

    /// One pass in one transaction; returns how many entries it took (their blobs deleted, or kept when referenced).
    func sweep(_ connection: PostgresConnection) throws -> Int {
        try connection.transaction { connection in
            let stale = try PendingBlobStore.stale(connection, now: clock.now, graceSeconds: graceSeconds, limit: Self.batch)
            for (key, referenced) in stale where !referenced { try blobs.delete(key) }
            try PendingBlobStore.remove(connection, stale.map(\.key))
            if stale.contains(where: { !$0.referenced }) {
                logger.info("deleted the blobs of unfinished uploads", metadata: ["count": "\(stale.filter { !$0.referenced }.count)"])
            }
            return stale.count
        }
    }
}
