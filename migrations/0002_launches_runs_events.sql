-- Launches, their task runs and their progress events.
--
-- A launch snapshots its workflow version and the executors its tasks resolve to, so later edits of definitions
-- never change a launch in flight. Task runs move pending -> scheduled -> running -> succeeded | failed, or end
-- upstream_failed / cancelled; every transition is guarded in SQL by state and attempt (the fencing token), so a
-- scheduler that lost its lease cannot overwrite a newer attempt. Scatter gates (kind 'scatter') are bookkeeping
-- runs that decide a replica count; the API hides them unless they failed.

CREATE TABLE launches (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workflow_id     text NOT NULL,
    version         integer NOT NULL,
    definition      jsonb NOT NULL,
    executors       jsonb NOT NULL,             -- task id -> ordered executor alternatives, resolved at launch
    state           text NOT NULL DEFAULT 'waiting'
                    CHECK (state IN ('waiting', 'running', 'succeeded', 'failed', 'cancelled')),
    input           jsonb,
    output          jsonb,
    error           text,
    idempotency_key text,
    max_concurrency integer,                    -- config.max_task_concurrency
    max_runtime_seconds integer,                -- config.max_task_runtime
    replica_counts  jsonb NOT NULL DEFAULT '{}', -- scatter gate name -> replica count
    open_runs       integer NOT NULL DEFAULT 0, -- runs pending, scheduled or running: 0 means the launch is over
    active_runs     integer NOT NULL DEFAULT 0, -- runs claimable or running, for max_concurrency
    total_runs      integer NOT NULL DEFAULT 0, -- task runs (not gates), for progress
    finished_runs   integer NOT NULL DEFAULT 0,
    failed_runs     integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    UNIQUE (user_id, idempotency_key)
);
CREATE INDEX launches_user_created_idx ON launches (user_id, created_at DESC, id);
CREATE INDEX launches_user_state_idx ON launches (user_id, state, created_at DESC);

CREATE TABLE task_runs (
    id               bigserial PRIMARY KEY,
    launch_id        uuid NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    user_id          bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name             text NOT NULL,            -- the run id of the API: 2, 2_A, 4_A_B
    task_id          text NOT NULL,
    replica_path     integer[] NOT NULL DEFAULT '{}',
    kind             text NOT NULL DEFAULT 'task' CHECK (kind IN ('task', 'scatter')),
    state            text NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'scheduled', 'running', 'succeeded', 'failed', 'upstream_failed', 'cancelled')),
    throttled        boolean NOT NULL DEFAULT false,   -- scheduled but held back by max_concurrency
    attempt          integer NOT NULL DEFAULT 0,
    max_attempts     integer NOT NULL DEFAULT 3,
    waiting_on       integer NOT NULL,                 -- predecessors not yet succeeded
    delay_seconds    integer NOT NULL DEFAULT 0,
    predecessors     text[] NOT NULL DEFAULT '{}',
    successors       text[] NOT NULL DEFAULT '{}',
    input            jsonb,
    output           jsonb,
    error            text,
    exec             jsonb,                            -- what to run: executor alternatives with command/environment
    static_output    jsonb,
    logs             text,
    ready_at         timestamptz,
    lease_expires_at timestamptz,
    claimed_by       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    UNIQUE (launch_id, name)
);
CREATE INDEX task_runs_claimable_idx ON task_runs (ready_at, id) WHERE state = 'scheduled' AND NOT throttled;
CREATE INDEX task_runs_throttled_idx ON task_runs (launch_id, id) WHERE state = 'scheduled' AND throttled;
CREATE INDEX task_runs_lease_idx ON task_runs (lease_expires_at) WHERE state = 'running';
CREATE INDEX task_runs_claimed_by_idx ON task_runs (claimed_by) WHERE state = 'running';

CREATE TABLE events (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    launch_id  uuid NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    run_name   text,
    type       text NOT NULL,
    data       jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_launch_idx ON events (launch_id, id);
CREATE INDEX events_user_idx ON events (user_id, id);

SELECT sweep_protect_tenant_table(t) FROM unnest(ARRAY['launches', 'task_runs', 'events']) AS t;
GRANT USAGE ON SEQUENCE task_runs_id_seq, events_id_seq TO sweep_tenant;
