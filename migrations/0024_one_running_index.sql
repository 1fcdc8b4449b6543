-- Fewer writes per run (issue 17): one index of running runs instead of two. Every claim wrote an entry into
-- both task_runs_lease_idx (lease_expires_at) and task_runs_running_by_user_idx (user_id), each partial on
-- `running`; (user_id, lease_expires_at) serves both readers. The running cap counts a user's running runs on
-- its prefix (TaskRunSQL.userRoom, the executors' cap, /metrics), and the rescuer's look for expired leases
-- (TaskRunSQL.rescue, expiredOutOfAttempts) reads the whole index, which holds only the runs in flight: a few
-- pages, once per rescue interval. The name stays, so later statements and migrations that name it still work.
DROP INDEX task_runs_running_by_user_idx;
CREATE INDEX task_runs_running_by_user_idx ON task_runs (user_id, lease_expires_at) WHERE state = 'running';
DROP INDEX task_runs_lease_idx;
