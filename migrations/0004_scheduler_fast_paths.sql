-- Cheaper writes on the scheduler's hot path.
--
-- Foreign keys from task runs and events cost a lookup (about 7 us, measured) for every inserted row: one run of a
-- scatter wrote five of them. Those rows are only ever written under their launch's lock or claim, so the keys
-- checked nothing our code could get wrong; what they did besides is the cascade, which a statement-level trigger
-- on launches now does (a user's deletion cascades to launches, and on from there).
ALTER TABLE events DROP CONSTRAINT events_user_id_fkey;
ALTER TABLE events DROP CONSTRAINT events_launch_id_fkey;
ALTER TABLE task_runs DROP CONSTRAINT task_runs_user_id_fkey;
ALTER TABLE task_runs DROP CONSTRAINT task_runs_launch_id_fkey;

CREATE FUNCTION sweep_delete_launch_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM events WHERE launch_id IN (SELECT id FROM gone);
    DELETE FROM task_runs WHERE launch_id IN (SELECT id FROM gone);
    RETURN NULL;
END $$;
CREATE TRIGGER launches_delete_rows AFTER DELETE ON launches
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION sweep_delete_launch_rows();

-- A claim updated two more indexes than it needed. Leases are renewed and handed back by run id (the scheduler
-- knows its runs), and a progress token names its run (tt_<run id>_<random>), so the run is found by primary key
-- and the token's hash compared there.
DROP INDEX task_runs_claimed_by_idx;
DROP INDEX task_runs_progress_token_idx;

-- The event time, RFC 3339 UTC with microseconds (EventSQL.timestamp names this function).
CREATE FUNCTION sweep_event_ts() RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- A claim's progress token: the run id and 244 random bits (only its SHA-256 is stored).
CREATE FUNCTION sweep_new_token(run_id bigint) RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT 'tt_' || run_id || '_' || replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '')
$$;

-- The chain fast path, one statement in autocommit: record run p_run's success and claim its plain successor
-- p_next (prepared by the scheduler's planner: p_input, p_exec, p_static_output), with the events and counters
-- the general path writes. It changes nothing and returns no row unless everything is as the fast path assumes:
-- the launch running and unthrottled, the run still at this attempt, the successor pending on this run alone and
-- undelayed. The caller then takes the general path, which handles every other case.
CREATE FUNCTION sweep_complete_and_claim(
    p_run bigint, p_attempt integer, p_output jsonb, p_logs text, p_finished double precision,
    p_next text, p_input jsonb, p_exec jsonb, p_static_output jsonb, p_scheduler text, p_lease_seconds integer)
RETURNS TABLE (id bigint, launch_id text, user_id bigint, name text, task_id text, attempt integer, input jsonb, exec jsonb,
               static_output jsonb, token text, max_runtime_seconds integer)
-- Generic plans from the first call: every statement here is a key lookup, and planning each of them afresh for
-- a session's first five calls put milliseconds into a chain's first edges.
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    l launches%ROWTYPE;
    done task_runs%ROWTYPE;
    next task_runs%ROWTYPE;
    new_token text;
BEGIN
    -- Lock order as in the general path: the launch, then its runs.
    SELECT * INTO l FROM launches WHERE launches.id = (SELECT t.launch_id FROM task_runs t WHERE t.id = p_run) FOR NO KEY UPDATE;
    IF NOT FOUND OR l.state <> 'running' OR l.max_concurrency IS NOT NULL THEN RETURN; END IF;
    SELECT * INTO done FROM task_runs t WHERE t.id = p_run AND t.state = 'running' AND t.attempt = p_attempt FOR UPDATE;
    IF NOT FOUND THEN RETURN; END IF;
    SELECT * INTO next FROM task_runs t WHERE t.launch_id = l.id AND t.name = p_next FOR UPDATE;
    IF NOT FOUND OR next.state <> 'pending' OR next.kind <> 'task' OR next.waiting_on <> 1 OR next.delay_seconds <> 0
       OR next.predecessors <> ARRAY[done.name] OR done.successors <> ARRAY[p_next] THEN
        RETURN;
    END IF;

    new_token := sweep_new_token(next.id);
    UPDATE task_runs t SET state = 'running', waiting_on = 0, input = p_input, exec = p_exec,
           static_output = nullif(p_static_output, 'null'::jsonb), ready_at = now(), attempt = t.attempt + 1,
           claimed_by = p_scheduler, lease_expires_at = now() + make_interval(secs => p_lease_seconds),
           started_at = clock_timestamp(), progress_token_hash = encode(sha256(convert_to(new_token, 'UTF8')), 'hex')
    WHERE t.id = next.id
    RETURNING * INTO next;
    -- The success is recorded as RunCompletion.recordSuccesses records one (Swift): keep the two in step.
    UPDATE task_runs t SET state = 'succeeded', output = p_output, logs = p_logs, finished_at = to_timestamp(p_finished),
           lease_expires_at = NULL, claimed_by = NULL, progress_token_hash = NULL
    WHERE t.id = p_run;

    INSERT INTO events (user_id, launch_id, run_name, type, data) VALUES
        (l.user_id, l.id, done.name, 'task.succeeded',
         jsonb_build_object('launch_id', l.id::text, 'run_id', done.name, 'state', 'succeeded', 'ts', sweep_event_ts())),
        (l.user_id, l.id, next.name, 'task.scheduled',
         jsonb_build_object('launch_id', l.id::text, 'run_id', next.name, 'state', 'scheduled', 'task_id', next.task_id,
                            'delay_seconds', next.delay_seconds, 'ts', sweep_event_ts())),
        (l.user_id, l.id, next.name, 'task.started',
         jsonb_build_object('launch_id', l.id::text, 'run_id', next.name, 'state', 'running', 'attempt', next.attempt,
                            'ts', sweep_event_ts()));
    -- The finished run leaves the open and active counts; its successor stays open and becomes active.
    UPDATE launches SET open_runs = open_runs - 1, finished_runs = finished_runs + 1 WHERE launches.id = l.id;
    PERFORM pg_notify('sweep_events', l.id::text);

    RETURN QUERY SELECT next.id, l.id::text, next.user_id, next.name, next.task_id, next.attempt, next.input, next.exec,
                        next.static_output, new_token, l.max_runtime_seconds;
END $$;
