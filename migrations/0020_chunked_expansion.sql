-- A wide expansion (a scatter gate's replicas, or a launch's first runs) is inserted in chunks, each in its own
-- transaction under the launch's row lock, so the first replicas run while the rest are created. The cursor says
-- how far the deterministic spec list (Planner.start / Planner.expand) has been inserted: a scheduler dying mid-way
-- leaves it as the last committed chunk left it, and the next scheduler carries on from `next_offset` (no lost, no
-- duplicate replicas). At most one per launch: other gates of the launch wait until it is done, so the list never
-- changes under it.
CREATE TABLE launch_expansions (
    launch_id   uuid PRIMARY KEY REFERENCES launches (id) ON DELETE CASCADE,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The scatter gate whose replicas these are; NULL: the runs that exist at launch (multiplicity).
    gate        text,
    next_offset integer NOT NULL,
    total       integer NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

SELECT sweep_protect_tenant_table('launch_expansions');
