-- Artifacts (a user's named files) and the embedded blob store that holds their bytes by default.
--
-- A blob is a sequence of chunks (1 MiB each, see PostgresBlobStore.chunkBytes), one row per chunk, so no file is
-- ever one value in memory, in the worker or in the server. The user id leads every key (DESIGN.md §8). Blobs are
-- written once under a fresh random id and never updated: replacing an artifact writes a new blob, points the
-- artifact at it, then deletes the old one.
CREATE TABLE blob_chunks (
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blob_id text NOT NULL,
    seq     integer NOT NULL CHECK (seq >= 0),
    data    bytea NOT NULL,
    PRIMARY KEY (user_id, blob_id, seq)
);
-- Uploaded files are mostly compressed already (archives, HDF5, images): TOAST them out of line without trying
-- to compress them again.
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE artifacts (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       text NOT NULL,
    blob_id    text NOT NULL,               -- the key in the configured blob store (PostgreSQL or S3)
    size       bigint NOT NULL CHECK (size >= 0),
    sha256     text NOT NULL,               -- lowercase hex of the whole file
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, name)
);

SELECT sweep_protect_tenant_table(t) FROM unnest(ARRAY['blob_chunks', 'artifacts']) AS t;
