-- Issue 13 (retries, max_wait_time, enabled: false). A run of a task with `max_wait_time` carries the seconds in its
-- exec plan (`max_wait_seconds`, written with the rest of what it executes); while it is scheduled its deadline is
-- ready_at plus those seconds, so a retry (which moves ready_at) gives the new attempt the whole wait again, and the
-- deadline survives every restart without a column of its own.
--
-- timestamptz + interval is only STABLE because adding days or months depends on the time zone; an interval of
-- seconds alone does not, so this wrapper may honestly be IMMUTABLE, which an index expression needs.
CREATE FUNCTION sweep_wait_deadline(ready_at timestamptz, seconds float8) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT $1 + make_interval(secs => $2) $$;

-- The wait-time enforcer's walk (`TaskRunSQL.expireWaits`): empty, and free, unless runs with a max wait are
-- scheduled; the predicate names no column the hot path's updates did not already index (state, exec with state).
CREATE INDEX task_runs_wait_deadline_idx ON task_runs (sweep_wait_deadline(ready_at, (exec ->> 'max_wait_seconds')::float8))
    WHERE state = 'scheduled' AND exec ? 'max_wait_seconds';
