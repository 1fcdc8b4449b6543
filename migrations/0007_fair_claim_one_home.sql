-- One home for run transitions (issue 12) and the fair-share claim (issue 10).
--
-- The chain fast path is no longer written here by hand: the Migrator installs `sweep_chain_step`, which
-- ChainStepRoutine builds from the same named statements every other path runs (TaskRunSQL, LaunchSQL). Its
-- predecessor, a hand-kept PL/pgSQL twin of those statements, goes.
DROP FUNCTION IF EXISTS sweep_complete_and_claim(bigint, integer, jsonb, text, double precision, text, jsonb, jsonb, jsonb, text, integer);

-- Claims interleave users (TaskRunSQL.pickFairly): a skip scan finds the users with claimable runs, and each takes
-- its share from its own part of this index. The user id leads, as in every index of tenant data. It replaces
-- the index ordered by ready_at alone, which served only first-in first-out claims across users.
CREATE INDEX task_runs_claimable_by_user_idx ON task_runs (user_id, ready_at, id) WHERE state = 'scheduled' AND NOT throttled;
DROP INDEX task_runs_claimable_idx;

-- Whose turn it is for the shares a batch cannot split evenly (TaskRunSQL.pickFairly): every claim moves it on.
CREATE SEQUENCE sweep_claim_turn CYCLE;

-- Sweep's statements are short and run thousands of times a second; JIT compilation of one whose estimate passes
-- jit_above_cost took about 150 ms here (measured on a claim whose estimate was inflated by its LATERAL shares).
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET jit = off', current_database()); END $$;
