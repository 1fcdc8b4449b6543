-- Task files (issue 16): the output files a run left behind, its stdout and stderr kept apart, and the blobs that
-- nothing points at any more.
--
-- Both tables hang off their launch (ON DELETE CASCADE), so whatever deletes a launch (retention, DELETE
-- /launches/{id}, a user's deletion) deletes them too. A run file's bytes live in the blob store (PostgreSQL chunks
-- or S3), which SQL cannot reach in S3: a trigger queues every blob a deleted or replaced row pointed at in
-- orphaned_blobs, and the schedulers' BlobCollector deletes them through the configured store.
CREATE TABLE run_files (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    launch_id  uuid NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    run_id     bigint NOT NULL,                 -- task_runs.id
    name       text NOT NULL,
    blob_id    text NOT NULL,
    size       bigint NOT NULL CHECK (size >= 0),
    sha256     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, launch_id, run_id, name)
);
CREATE INDEX run_files_user_bytes_idx ON run_files (user_id) INCLUDE (size);

CREATE TABLE run_logs (
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    launch_id   uuid NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    run_id      bigint NOT NULL,
    stream      text NOT NULL CHECK (stream IN ('stdout', 'stderr')),
    text        text NOT NULL DEFAULT '',
    total_bytes bigint NOT NULL DEFAULT 0,       -- everything the stream carried, kept or not
    truncated   boolean NOT NULL DEFAULT false,  -- past the per-stream cap (RunLogStore.capBytes)
    PRIMARY KEY (user_id, launch_id, run_id, stream)
);

SELECT sweep_protect_tenant_table(t) FROM unnest(ARRAY['run_files', 'run_logs']) AS t;

-- Not a tenant table: rows outlive their user (a deleted user's S3 objects still need deleting); only the owner's
-- trigger writes it and only schedulers (sweep_system) read it.
CREATE TABLE orphaned_blobs (
    user_id   bigint NOT NULL,
    blob_id   text NOT NULL,
    queued_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, blob_id)
);

-- SECURITY DEFINER: the deleting role (a tenant's, or the system's) has no rights on orphaned_blobs.
CREATE FUNCTION sweep_queue_orphaned_blobs() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    INSERT INTO orphaned_blobs (user_id, blob_id) SELECT user_id, blob_id FROM gone ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER run_files_queue_blobs AFTER DELETE ON run_files
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION sweep_queue_orphaned_blobs();

CREATE FUNCTION sweep_queue_replaced_blob() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF OLD.blob_id <> NEW.blob_id THEN
        INSERT INTO orphaned_blobs (user_id, blob_id) VALUES (OLD.user_id, OLD.blob_id) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER run_files_queue_replaced_blob AFTER UPDATE OF blob_id ON run_files
    FOR EACH ROW EXECUTE FUNCTION sweep_queue_replaced_blob();
