-- Fewer writes and less CPU per task run (issue 17).
--
-- 1. A cheaper task token: one random UUID per claimed run instead of two. gen_random_uuid() was the dearest part of
-- a claim's per-run expressions on this machine (3.4 us a call at load 13, against 0.4 us for the SHA-256 of the
-- token that the claim stores): two of them were ~7 us of PostgreSQL CPU for every run started. The token keeps its
-- shape, `tt_<run id>_<hex>`, and 122 random bits (a version 4 UUID's), which no one guesses: it is valid only while
-- its run runs and only for that run, and only its hash is stored.
CREATE OR REPLACE FUNCTION sweep_new_token(run_id bigint) RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT 'tt_' || run_id || '_' || encode(uuid_send(gen_random_uuid()), 'hex')
$$;

-- 2. No BRIN index of started_at (migration 0010). Every version of a run row (insert, claim, success: three per run)
-- probed its revmap, and in a range already summarised (pages reused after VACUUM) widened the summary with a WAL
-- record of its own: 10 buffer accesses and 0.7 WAL records per run of a 20,000-replica scatter. Its one reader,
-- /metrics counting claims and their queue wait since the last scrape, now reads the `task.started` events after
-- the last one it saw, by primary key (OperationsQuery.startsSince).
DROP INDEX task_runs_started_brin_idx;
