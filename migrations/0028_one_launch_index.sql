-- Fewer index entries per task run (issue 17): one index of a launch's runs instead of two.
--
-- No update of a run is HOT (`state` is in the predicate of the partial indexes), so every index of task_runs gets an
-- entry for each of a run's three row versions (scheduled, running, succeeded). Migration 0010 made two indexes led by
-- launch_id: (launch_id, id) for pages in run order and (launch_id, task_id, state, id) INCLUDE (kind, user_id) for
-- task_counts and the task and state filters. This one index serves both: it is in run order within a launch, and
-- task_id, state, kind and user_id are KEY columns after id, not INCLUDE columns. id is unique, so they never change
-- the order, but a btree checks a condition on any key column inside the index (an `Index Cond`), where a condition on
-- an INCLUDE column is a `Filter` that fetches the heap row first (measured: with INCLUDE columns the planner read
-- the whole table for a state filter). So:
-- - a page of a launch's runs, with or without a task or state filter, walks the launch's entries in run order
--   and visits the heap only for the runs it answers;
-- - task_counts (and every statement that only counts by task, state or kind) is an index-only aggregate, as before;
-- - a filter on a task with few runs walks the launch's entries instead of that task's: ~1,000 index pages for a
--   100,000-run launch (6-12 ms on the shared 2-core machine) where the old index read a handful (branch idx notes).
-- All key columns (no INCLUDE) also lets deduplication merge the entries of row versions whose indexed values did not
-- change (a lease renewal), which an index with INCLUDE columns never does.
DROP INDEX task_runs_launch_order_idx;
DROP INDEX task_runs_launch_task_state_idx;
CREATE INDEX task_runs_launch_idx ON task_runs (launch_id, id, task_id, state, kind, user_id);
