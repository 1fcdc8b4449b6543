-- The app is not the owner and not a superuser (README, "Database roles").
--
-- Migrations run as the owner (sweep_owner). The worker and the schedulers log in as sweep_app: no SUPERUSER, no
-- BYPASSRLS, a member of sweep_tenant (inherited), so a query that forgets SET ROLE or sweep.user_id sees no
-- tenant rows. The few paths that are not one tenant's request (login, key and session lookup, progress tokens,
-- user administration, the SSE hub, the schedulers' claim and record) switch explicitly to sweep_system, a NOLOGIN
-- role that the row-level policies below let see every row. sweep_app reaches it only through sweep_system_gate
-- (NOINHERIT), so it can SET ROLE to it but never holds its rights by default.
--
-- A later migration stays compatible by creating tenant tables through sweep_protect_tenant_table (redefined
-- here to add the system policy too); the migrator also runs sweep_grant_system_access() after every migration,
-- which grants sweep_system on every table and sequence and adds its policy to every table with row-level
-- security that lacks one.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sweep_system') THEN
        CREATE ROLE sweep_system NOLOGIN NOINHERIT;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE EXCEPTION 'role sweep_system is missing and % may not create it: create the roles first (README, "Database roles")', current_user;
END
$$;

CREATE OR REPLACE FUNCTION sweep_grant_system_access() RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.oid::regclass AS name, c.relrowsecurity AS secured
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations'
               AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') LOOP
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO sweep_system', r.name);
        IF r.secured AND NOT EXISTS (SELECT FROM pg_policy p
                                     WHERE p.polrelid = r.name::oid AND 'sweep_system'::regrole::oid = ANY (p.polroles)) THEN
            EXECUTE format('CREATE POLICY system_access ON %s TO sweep_system USING (true) WITH CHECK (true)', r.name);
        END IF;
    END LOOP;
    EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO sweep_system', current_schema());
END
$$;

CREATE OR REPLACE FUNCTION sweep_protect_tenant_table(t text) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I TO sweep_tenant '
                   'USING (user_id = sweep_current_user_id()) WITH CHECK (user_id = sweep_current_user_id())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO sweep_tenant', t);
    EXECUTE format('CREATE POLICY system_access ON %I TO sweep_system USING (true) WITH CHECK (true)', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO sweep_system', t);
END
$$;

-- Tables and sequences the owner creates later are granted as they are made, even by SQL run outside the migrator.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO sweep_system;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO sweep_system;

SELECT sweep_grant_system_access();

-- Sessions end after an idle period as well as at expires_at; last_seen_at moves at most once a minute.
ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();

-- Destination credentials are sealed by the application (AES-256-GCM, "v1:" + base64 of nonce, ciphertext, tag)
-- with a key the database never sees. Rows written before this migration keep their JSON text until rewritten.
ALTER TABLE destinations ALTER COLUMN credentials TYPE text USING credentials::text;
