-- Waiting task kinds (timer, signal, workflow) and child launches (API.md v1.1 "Task kinds").

-- A child launch names the run of the `workflow` task that started it; `nesting_depth` counts parents up to the
-- top launch (at most ModelLimits.maxWorkflowNesting). `parent_notified` turns true once the parent run has been
-- completed from the child's end, so the partial index below holds only children whose end is still unreported.
ALTER TABLE launches
    ADD COLUMN parent_launch_id uuid,
    ADD COLUMN parent_run_id bigint,
    ADD COLUMN nesting_depth integer NOT NULL DEFAULT 0,
    ADD COLUMN parent_notified boolean NOT NULL DEFAULT false;
CREATE INDEX launches_parent_idx ON launches (user_id, parent_launch_id, created_at DESC, id) WHERE parent_launch_id IS NOT NULL;
CREATE INDEX launches_child_ended_idx ON launches (finished_at)
    WHERE parent_run_id IS NOT NULL AND NOT parent_notified AND state IN ('succeeded', 'failed', 'cancelled');

-- Waiting runs that are due: a timer's end, a signal's timeout (or a signal that arrived), a child to create.
-- Signals without a timeout and children already created have no ready_at, so 10,000 of them cost the
-- maintenance service nothing.
CREATE INDEX task_runs_waiting_due_idx ON task_runs (ready_at) WHERE state = 'waiting';

-- Signals, kept from the moment they are sent (possibly before their task is reached) until the run takes them.
CREATE TABLE launch_signals (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    launch_id  uuid NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    task_id    text NOT NULL,
    payload    jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, launch_id, task_id)
);
CREATE INDEX launch_signals_launch_idx ON launch_signals (launch_id);
SELECT sweep_protect_tenant_table('launch_signals');
