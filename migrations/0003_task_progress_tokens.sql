-- Per-run progress tokens: a running task may report its progress with a token handed to it at claim time.
-- Only the SHA-256 is stored; the token allows posting progress for that run and nothing else, and is cleared
-- when the run leaves 'running'.
ALTER TABLE task_runs ADD COLUMN progress_token_hash text;
CREATE UNIQUE INDEX task_runs_progress_token_idx ON task_runs (progress_token_hash) WHERE progress_token_hash IS NOT NULL;
