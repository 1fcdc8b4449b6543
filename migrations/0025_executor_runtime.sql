-- max_runtime for runs of remote executors (`RuntimeEnforcer`): the schedulers time the runs they execute
-- themselves, but an executor's run is bounded only by its lease, which heartbeats renew. Every scheduler looks for
-- executors' running runs past their runtime about once a second (TaskRunSQL.overdueExecutorRuns); this index
-- holds only those runs, in start order, so a pass walks the runs started more than a second ago and nothing else
-- (nothing at all when no executor runs).
CREATE INDEX task_runs_executor_running_idx ON task_runs (started_at)
    WHERE state = 'running' AND executor_type IS NOT NULL;
