-- Run states gain `waiting` (a timer, signal or child-workflow task holding no executor slot while an outside
-- event completes it) and `skipped` (`enabled: false`), one constraint for all later transitions.
ALTER TABLE task_runs DROP CONSTRAINT task_runs_state_check;
ALTER TABLE task_runs ADD CONSTRAINT task_runs_state_check
    CHECK (state IN ('pending', 'scheduled', 'running', 'waiting', 'succeeded', 'failed', 'upstream_failed', 'cancelled', 'skipped'));
