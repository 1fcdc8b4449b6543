-- A run's stored input leaves out the launch's input when it holds it unchanged (a follower or any unreplicated run
-- of a launch with an input): `splice_launch_input` says so, and every reader adds `launch_input` back from the
-- launch's row (`RunInputSQL.input`). Storing the launch input in each run made a 3,000-wide scatter -> follow over
-- a 3,000-element launch input write ~15 kB per follower (45 MB of JSON, compressed with pglz under the launch's row
-- lock): 15-23 s end to end, against ~3 s when the same shape scatters over a predecessor's output.
-- Rows from before this migration keep false and their inline launch_input; nothing is rewritten (a constant
-- default is stored in the catalog, not in each row).
ALTER TABLE task_runs ADD COLUMN splice_launch_input boolean NOT NULL DEFAULT false;
-- The claim routine answers a run's input as text (`RunInputSQL.claimedInput` splices the launch input in as text):
-- its result type changes, which CREATE OR REPLACE cannot do. The Migrator installs the new one after this.
DROP FUNCTION IF EXISTS sweep_claim(integer, text, integer, timestamptz, integer);
