-- The per-user running cap in the fair claim (TaskRunSQL.pickFairly): for each user with claimable runs the claim
-- counts that user's running runs, up to the cap. This index makes that count one short index-only walk per user
-- instead of a scan of the user's runs (the user id leads, as in every index of tenant data).
CREATE INDEX task_runs_running_by_user_idx ON task_runs (user_id) WHERE state = 'running';

-- The claim routine takes the default cap as a fifth parameter now (ClaimRoutine; the Migrator installs it after
-- the migrations): the four-parameter version goes.
DROP FUNCTION IF EXISTS sweep_claim(integer, text, integer, timestamptz);
