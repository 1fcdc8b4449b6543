-- Backend workflows (issue 15): data that a launch's tasks share (`ti.push`/`ti.pull`) and the response items and
-- metadata they compose for a foreground `/call`. Launch-scoped: they go with their launch. The user id leads
-- every key (DESIGN.md §8).
CREATE TABLE launch_shared_data (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    launch_id  uuid NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    key        text NOT NULL,
    value      jsonb NOT NULL,
    bytes      integer NOT NULL CHECK (bytes >= 0),  -- the value's size as sent, for the per-launch bound
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, launch_id, key)
);
CREATE INDEX launch_shared_data_launch_idx ON launch_shared_data (launch_id);

-- One row per accepted POST of objects, kept in arrival order (seq) so the answer lists them as they came.
CREATE TABLE launch_response_data (
    user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    launch_id uuid NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    item      text NOT NULL,
    seq       bigserial,
    data      jsonb NOT NULL CHECK (jsonb_typeof(data) = 'array'),
    bytes     integer NOT NULL CHECK (bytes >= 0),
    PRIMARY KEY (user_id, launch_id, seq)
);
CREATE INDEX launch_response_data_launch_idx ON launch_response_data (launch_id);

CREATE TABLE launch_response_meta (
    user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    launch_id uuid NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    item      text NOT NULL,
    meta      jsonb NOT NULL CHECK (jsonb_typeof(meta) = 'object'),
    PRIMARY KEY (user_id, launch_id, item)
);
CREATE INDEX launch_response_meta_launch_idx ON launch_response_meta (launch_id);

SELECT sweep_protect_tenant_table(t) FROM unnest(ARRAY['launch_shared_data', 'launch_response_data', 'launch_response_meta']) AS t;
GRANT USAGE ON SEQUENCE launch_response_data_seq_seq TO sweep_tenant;
