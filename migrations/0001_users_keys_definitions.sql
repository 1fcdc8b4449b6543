-- Users, sessions and API keys, and the tenant tables for SWEEP definitions.
--
-- Isolation is enforced twice. Every tenant query names its user_id; and tenant requests run under the role
-- sweep_tenant (SET LOCAL ROLE), for which row-level security admits only rows whose user_id equals the
-- transaction-local setting sweep.user_id. A query that forgot its scope, or a transaction that never set it,
-- sees nothing. System paths (login, the scheduler) run as the owning role, which RLS does not restrict.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sweep_tenant') THEN
        CREATE ROLE sweep_tenant NOLOGIN NOINHERIT;
    END IF;
END
$$;
DO $$
BEGIN
    EXECUTE format('GRANT sweep_tenant TO %I', current_user);
EXCEPTION WHEN others THEN
    NULL; -- superusers may SET ROLE without membership
END
$$;

CREATE FUNCTION sweep_current_user_id() RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('sweep.user_id', true), '')::bigint $$;

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    username      text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    password_hash text NOT NULL,
    is_admin      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
    token_hash  text PRIMARY KEY,               -- SHA-256 of the cookie value; the value itself is never stored
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_keys (
    id           text PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL,
    key_hash     text NOT NULL UNIQUE,          -- SHA-256 of a 32-byte random key: a slow hash adds nothing there
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id);

CREATE TABLE destinations (
    user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id             text NOT NULL,
    cloud_provider text NOT NULL,
    definition     jsonb NOT NULL,              -- without credentials
    credentials    jsonb,                       -- stored, never returned
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, id)
);

CREATE TABLE functions (
    user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id             text NOT NULL,
    destination_id text NOT NULL,
    definition     jsonb NOT NULL,
    code           bytea,
    code_sha256    text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, id)
);

CREATE TABLE containers (
    user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id             text NOT NULL,
    destination_id text NOT NULL,
    definition     jsonb NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, id)
);

CREATE TABLE workflows (
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workflow_id text NOT NULL,
    version     integer NOT NULL CHECK (version > 0),
    definition  jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, workflow_id, version)
);

-- Row-level security for a tenant table: rows whose user_id is the transaction's sweep.user_id, nothing else.
CREATE FUNCTION sweep_protect_tenant_table(t text) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I TO sweep_tenant '
                   'USING (user_id = sweep_current_user_id()) WITH CHECK (user_id = sweep_current_user_id())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO sweep_tenant', t);
END
$$;

SELECT sweep_protect_tenant_table(t)
FROM unnest(ARRAY['sessions', 'api_keys', 'destinations', 'functions', 'containers', 'workflows']) AS t;

-- A tenant may read its own user row (for /me), nothing else of users.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_self ON users TO sweep_tenant USING (id = sweep_current_user_id());
GRANT SELECT ON users TO sweep_tenant;
