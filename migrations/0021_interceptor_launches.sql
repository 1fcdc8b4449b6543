-- Backend workflows (issue 15): a workflow's interceptor runs as a launch of its own (one task, the interceptor),
-- claimed and executed like any run. Such a launch is bookkeeping of a call, not a launch the user made: listings
-- leave it out (its id is in the call's error when it rejected), and a call that went on deletes it. A constant
-- default makes this an instant catalog change (PostgreSQL 11+), not a rewrite of launches.
ALTER TABLE launches ADD COLUMN is_interceptor boolean NOT NULL DEFAULT false;
