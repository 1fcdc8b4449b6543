-- Per-user limits as data (issue 10): one row per user an administrator has set limits for; a NULL column (or no
-- row) means the configured default (SWEEP_LIMIT_* of the worker). The user id leads the key, so a fair-share claim
-- can join the row of each user it considers (`LEFT JOIN user_limits USING (user_id)`), and a distributed PostgreSQL
-- can keep it with the user's other rows.
CREATE TABLE user_limits (
    user_id                 bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    max_running_runs        integer CHECK (max_running_runs >= 0),        -- enforced by the claim
    max_launches_in_flight  integer CHECK (max_launches_in_flight >= 0),  -- launches waiting or running
    max_replicas_per_launch integer CHECK (max_replicas_per_launch >= 1), -- runs one launch may create
    max_stored_bytes        bigint  CHECK (max_stored_bytes >= 0),        -- for the blob store
    max_streams             integer CHECK (max_streams >= 0),             -- open SSE streams
    updated_at              timestamptz NOT NULL DEFAULT now()
);

-- A tenant may read its own limits (launch creation checks them in the tenant's transaction); only the system
-- connection (the admin API) writes them.
ALTER TABLE user_limits ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_self ON user_limits TO sweep_tenant USING (user_id = sweep_current_user_id());
GRANT SELECT ON user_limits TO sweep_tenant;

-- The replicas-per-launch limit in force when a launch was made, when it is not the built-in default: schedulers
-- check a scatter's expansion against it (`RunBudget`) without knowing the worker's configuration.
ALTER TABLE launches ADD COLUMN max_runs integer CHECK (max_runs >= 1);
