-- Blobs being written (an artifact upload, a run's output file): a row is committed before the first byte goes to the
-- blob store and deleted by the transaction that points an artifact or run file at the blob. A row that outlives
-- its upload by the grace period marks a blob nothing will point at (the worker or scheduler died mid-upload, or
-- between the blob's last byte and its row), which the schedulers' UnfinishedUploadSweeper deletes through the
-- configured store (PostgreSQL chunks or S3, which SQL cannot reach).
--
-- No foreign key to users: like orphaned_blobs, a row outlives its user, whose S3 objects still need deleting.
CREATE TABLE pending_blobs (
    user_id    bigint NOT NULL,
    blob_id    text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, blob_id)
);
-- The sweeper reads the oldest first; empty (so free) unless uploads are in flight or were cut off.
CREATE INDEX pending_blobs_started_idx ON pending_blobs (started_at);

SELECT sweep_protect_tenant_table('pending_blobs');
