-- Remote executors (issue 14): workers that pull runs of their type through the API
-- (`POST /api/v1/executors/{id}/assignments`) instead of being pushed work by a scheduler.

-- An executor belongs to one user and sees only that user's runs of its `type`. The user id leads the key, as in
-- every table of tenant data. `last_seen_at` moves when it asks for work.
CREATE TABLE executors (
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id           text NOT NULL,
    name         text NOT NULL,
    type         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, id)
);
SELECT sweep_protect_tenant_table('executors');

-- Which executor type runs a run: the type of its first alternative when that is an executor_type configuration
-- (ExecutorResolver's `{"kind": "executor", …}`), NULL for what schedulers run. Generated from `exec`, so every
-- transition that writes `exec` (planning, the chain step) sets it without knowing it exists, and schedulers can
-- never claim an executor's run by a path that forgot it.
ALTER TABLE task_runs ADD COLUMN executor_type text GENERATED ALWAYS AS (
    CASE WHEN exec -> 'alternatives' -> 0 ->> 'kind' = 'executor' THEN exec -> 'alternatives' -> 0 ->> 'executor_type' END) STORED;
-- The execution configuration's priority (lower first, as among a task's alternatives): executors take runs in
-- this order.
ALTER TABLE task_runs ADD COLUMN executor_priority integer GENERATED ALWAYS AS (
    CASE WHEN exec -> 'alternatives' -> 0 ->> 'kind' = 'executor' THEN coalesce((exec -> 'alternatives' -> 0 ->> 'priority')::integer, 1) END) STORED;

-- Schedulers claim only runs without an executor type (TaskRunSQL.schedulerClaimable states this predicate), so
-- their index leaves executors' runs out: a queue of 100,000 executor runs costs a scheduler's claim nothing.
-- Executors claim from their own index, their user and type leading, then the launch (the claim takes turns
-- between launches), in priority and ready order within each.
DROP INDEX task_runs_claimable_by_user_idx;
CREATE INDEX task_runs_claimable_by_user_idx ON task_runs (user_id, ready_at, id)
    WHERE state = 'scheduled' AND NOT throttled AND executor_type IS NULL;
CREATE INDEX task_runs_executor_claimable_idx ON task_runs (user_id, executor_type, launch_id, executor_priority, ready_at, id)
    WHERE state = 'scheduled' AND NOT throttled AND executor_type IS NOT NULL;

-- Parked long-polls of executors (ExecutorController) wait on this channel with `<user id>:<type>` as the key.
-- A trigger sends it whenever a run of an executor type becomes claimable, whichever transition did it (planning,
-- a successor's count-down, a rescue, a retry, a re-run, a release from max_task_concurrency): NOTIFY is only an
-- accelerator (the parked requests are re-checked on an interval), and one rule here cannot miss a transition
-- added later. The WHEN clause keeps the trigger free for every other row; PostgreSQL folds identical
-- notifications of one transaction into one.
CREATE FUNCTION sweep_executor_work_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sweep_executor_work', NEW.user_id::text || ':' || NEW.executor_type);
    RETURN NULL;
END $$;
CREATE TRIGGER task_runs_executor_work AFTER INSERT OR UPDATE ON task_runs
    FOR EACH ROW WHEN (NEW.executor_type IS NOT NULL AND NEW.state = 'scheduled' AND NOT NEW.throttled)
    EXECUTE FUNCTION sweep_executor_work_notify();
