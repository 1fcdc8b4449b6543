-- Reads of large launches (API.md "Large launches") in time that does not grow with the launch.
--
-- A launch's status shows its first 1,000 runs in id order and per-task counts of run states; /runs pages through
-- the rest, optionally by task and state. Before this, every status read fetched all of a launch's runs through
-- (launch_id, name) and sorted them: 645 ms and 3.4 MB for 10,000 runs.
-- - (launch_id, id): the first page of a launch, and /runs without filters, read in order with a LIMIT.
-- - (launch_id, task_id, state, id) INCLUDE (kind, user_id): task_counts is an index-only aggregate over this (kind
--   so that succeeded scatter gates, which the API hides, are filtered without visiting the heap; user_id because
--   every tenant query, and row-level security, filter on it), and /runs with task_id and state reads one ordered
--   range of it.
-- Both cost an index entry per run row version: a state change is never a HOT update anyway (the claimable index
-- is partial on state), so they add index writes, not heap writes. Counters maintained by the transitions would
-- make task_counts O(tasks) instead of O(runs in an index); that needs the one home for run transitions (issue 12).
CREATE INDEX task_runs_launch_order_idx ON task_runs (launch_id, id);
CREATE INDEX task_runs_launch_task_state_idx ON task_runs (launch_id, task_id, state, id) INCLUDE (kind, user_id);

-- /metrics: runs started since the last scrape (claims and their queue wait, ready -> started) are read through a
-- BRIN summary of started_at, a few pages for the whole table, so a scrape reads only recent block ranges.
CREATE INDEX task_runs_started_brin_idx ON task_runs USING brin (started_at) WITH (pages_per_range = 32);

-- The API worker caches API key -> user (a request then needs no database round trip to authenticate). Whatever
-- ends or changes a key's meaning notifies channel sweep_auth with the user id, from any path (revocation, user
-- deletion and its cascade, an admin flag change), and every worker drops that user's entries at once.
CREATE FUNCTION sweep_notify_auth_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sweep_auth', OLD.user_id::text);
    RETURN NULL;
END $$;
CREATE FUNCTION sweep_notify_user_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sweep_auth', OLD.id::text);
    RETURN NULL;
END $$;
CREATE TRIGGER api_keys_auth_change AFTER DELETE OR UPDATE OF revoked_at, key_hash, user_id ON api_keys
    FOR EACH ROW EXECUTE FUNCTION sweep_notify_auth_change();
CREATE TRIGGER users_auth_change AFTER DELETE OR UPDATE OF username, is_admin ON users
    FOR EACH ROW EXECUTE FUNCTION sweep_notify_user_change();

-- A launch's status renders its first runs as JSON in the database (LaunchStatusQuery.renderedFirstRuns); this
-- writes times exactly as the API does elsewhere: RFC 3339 UTC with microseconds.
CREATE FUNCTION sweep_rfc3339(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- /readyz (the worker, as sweep_system) compares the applied migrations with its own: it may read, never write, them.
GRANT SELECT ON schema_migrations TO sweep_system;
