-- Retention (SweepScheduler/Retention.swift) finds ended launches by their end time, a small batch at a time, from
-- every scheduler loop: an index on the end time keeps that a short index scan instead of a pass over every launch.
CREATE INDEX launches_finished_idx ON launches (finished_at) WHERE finished_at IS NOT NULL;
