-- An idempotency key is per user AND workflow (API.md: "the same `idempotency_key` returns the first launch"; the
-- contract audit of session 10 found the key unique per user, so the same key sent to another workflow answered
-- with the first workflow's launch). The key of a launch, a `/call` (`Idempotency-Key`) and a child launch
-- (`sweep-child:<run>:<attempt>`) are all this one key; its lookup and the insert's ON CONFLICT target live in
-- `LaunchStore+Idempotency.swift`.
--
-- Safe on existing data: every (user_id, idempotency_key) was unique, so every (user_id, workflow_id,
-- idempotency_key) is. The user id stays first, as in the schema's other keys. Partial: a launch without a key (most
-- of them) no longer gets an entry in this index at all; the old constraint indexed every launch. The lookup's
-- `idempotency_key = $1` implies the predicate, and the insert names it in its ON CONFLICT target.
CREATE UNIQUE INDEX launches_user_workflow_idempotency_idx ON launches (user_id, workflow_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
ALTER TABLE launches DROP CONSTRAINT launches_user_id_idempotency_key_key;
