#!/usr/bin/env bash
# Start or stop a private PostgreSQL cluster owned by an unprivileged user (initdb/postgres refuse to run as root).
#   scripts/pg-cluster.sh start DATADIR PORT     -> creates the cluster on first use, starts it on a unix socket in
#                                                  DATADIR/sock only (no TCP at all), creates the roles and the
#                                                  database "sweep"; prints the app's URL (role sweep_app)
#   scripts/pg-cluster.sh stop DATADIR           -> fast shutdown
#   scripts/pg-cluster.sh restart DATADIR MODE   -> pg_ctl restart -m MODE (fast or immediate; for fault tests)
#   scripts/pg-cluster.sh url DATADIR PORT       -> prints the app's URL (worker, schedulers, admin commands)
#   scripts/pg-cluster.sh owner-url DATADIR PORT -> prints the owner's URL (migrations, test assertions only)
#   scripts/pg-cluster.sh for-tests DATADIR PORT -> make test's unit-test cluster only: the owner may create and
#                                                  use databases of its own
#
# Roles (README, "Database roles"): sweep_owner owns the schema and runs migrations; sweep_app is what the worker
# and schedulers log in as: no SUPERUSER, no BYPASSRLS, row-level security scopes it to sweep.user_id, and it reaches
# other tenants' rows only by SET ROLE sweep_system (through sweep_system_gate, so it never inherits that role).
# Both log in with scram-sha-256 passwords kept in DATADIR/*.password (mode 0600); the superuser only by peer
# authentication as its OS user. The PORT only names the socket file (.s.PGSQL.PORT).
set -euo pipefail
cmd=${1:?usage: pg-cluster.sh start|stop|url|owner-url DATADIR [PORT]}
dir=$(realpath -m "${2:?data dir}")
port=${3:-5432}
bindir=$(pg_config --bindir 2>/dev/null || true)
[ -x "$bindir/initdb" ] || bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pguser=postgres
if [ "$(id -u)" = 0 ]; then
  id -u "$pguser" >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh "$pguser"
  as_pg() { runuser -u "$pguser" -- "$@"; }
else
  pguser=$(id -un)
  as_pg() { "$@"; }
fi

# A password per login role, made once; hex, so it needs no escaping in a URL.
password() {
  local file=$dir/$1.password
  if [ ! -s "$file" ]; then
    (umask 077; od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"$file.new" && mv "$file.new" "$file")
  fi
  cat "$file"
}
url() { echo "postgresql://sweep_app:$(password app)@/sweep?host=$dir/sock&port=$port"; }
owner_url() { echo "postgresql://sweep_owner:$(password owner)@/sweep?host=$dir/sock&port=$port"; }
# client_min_messages=warning: the idempotent set-up's NOTICEs ("already a member", "already exists") are noise on
# every later start.
su_psql() { as_pg env PGOPTIONS="-c client_min_messages=warning" "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/sock" -p "$port" "$@"; }

write_hba() {
  # Unix socket only (no host lines: nothing answers on TCP anyway). No trust: the superuser is its OS user
  # (peer), the app roles prove a password.
  cat >"$dir/pgdata/pg_hba.conf" <<HBA
# written by scripts/pg-cluster.sh
local all $pguser peer
local sweep sweep_owner,sweep_app scram-sha-256
HBA
  [ "$(id -u)" = 0 ] && chown "$pguser" "$dir/pgdata/pg_hba.conf"
  chmod 600 "$dir/pgdata/pg_hba.conf"
}

setup_roles() {
  # Idempotent; the passwords go through stdin, never through a command line that ps would show.
  su_psql -d postgres <<SQL
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sweep_owner') THEN CREATE ROLE sweep_owner; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sweep_app') THEN CREATE ROLE sweep_app; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sweep_tenant') THEN CREATE ROLE sweep_tenant NOLOGIN NOINHERIT; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sweep_system') THEN CREATE ROLE sweep_system NOLOGIN NOINHERIT; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sweep_system_gate') THEN CREATE ROLE sweep_system_gate NOLOGIN NOINHERIT; END IF;
END
\$\$;
ALTER ROLE sweep_owner LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '$(password owner)';
ALTER ROLE sweep_app LOGIN INHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '$(password app)';
GRANT sweep_tenant TO sweep_app;
GRANT sweep_system TO sweep_system_gate;
GRANT sweep_system_gate TO sweep_app;
-- The owner may act as either (test assertions impersonate a tenant), read statistics of every role and end
-- the app's backends (fault-injection tests).
GRANT sweep_tenant, sweep_system TO sweep_owner;
GRANT pg_read_all_stats, pg_signal_backend TO sweep_owner;
SQL
  if ! su_psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = 'sweep'" | grep -q 1; then
    su_psql -d postgres -c "CREATE DATABASE sweep OWNER sweep_owner"
  fi
  # A cluster made before the roles existed has its objects owned by the superuser: hand them to the owner.
  su_psql -d sweep <<'SQL'
ALTER DATABASE sweep OWNER TO sweep_owner;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relowner <> 'sweep_owner'::regrole
               AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') LOOP
        EXECUTE format('ALTER %s %s OWNER TO sweep_owner',
                       CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, r.name);
    END LOOP;
    FOR r IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind = 'S' AND c.relowner <> 'sweep_owner'::regrole
               AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('e', 'a', 'i')) LOOP
        EXECUTE format('ALTER SEQUENCE %s OWNER TO sweep_owner', r.name);
    END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'public' AND p.proowner <> 'sweep_owner'::regrole
               AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO sweep_owner', r.sig);
    END LOOP;
END
$$;
SQL
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    if [ ! -f "$dir/pgdata/PG_VERSION" ]; then
      mkdir -p "$dir/pgdata" "$dir/sock"
      [ "$(id -u)" = 0 ] && chown -R "$pguser" "$dir"
      chmod 700 "$dir/pgdata"
      # --auth=reject until write_hba below: there is never a moment with trust authentication.
      as_pg "$bindir/initdb" -D "$dir/pgdata" --auth=reject -E UTF8 --no-locale >"$dir/initdb.log" 2>&1
      cat >>"$dir/pgdata/postgresql.conf" <<CONF
max_connections = 300
shared_buffers = 256MB
fsync = on
synchronous_commit = on
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
CONF
    fi
    if ! grep -q "^# sweep: unix socket only" "$dir/pgdata/postgresql.conf"; then
      # Appended (later lines win), so a cluster made by an older version of this script is converted too.
      cat >>"$dir/pgdata/postgresql.conf" <<CONF
# sweep: unix socket only
listen_addresses = ''
unix_socket_permissions = 0700
password_encryption = 'scram-sha-256'
CONF
    fi
    if ! grep -q "^# sweep: deadlock checks" "$dir/pgdata/postgresql.conf"; then
      # PostgreSQL finds a deadlock only after deadlock_timeout: at its 1 s, a 5,000-replica scatter into a gather
      # took 33 s (33 deadlocks between schedulers, a cycle since removed: README, "Lock order"); a cancel meeting a
      # claim still deadlocks now and then, and costs a tenth of a second instead of one.
      cat >>"$dir/pgdata/postgresql.conf" <<CONF
# sweep: deadlock checks
deadlock_timeout = 100ms
CONF
    fi
    write_hba
    # Only the cluster's user (and root) may enter the socket folder.
    mkdir -p "$dir/sock"
    [ "$(id -u)" = 0 ] && chown "$pguser" "$dir" "$dir/sock"
    chmod 700 "$dir/sock"
    if ! as_pg "$bindir/pg_ctl" -D "$dir/pgdata" status >/dev/null 2>&1; then
      as_pg "$bindir/pg_ctl" -D "$dir/pgdata" -l "$dir/server.log" -o "-p $port -k $dir/sock -c listen_addresses=''" -w -t 60 start >/dev/null
    elif [ -n "$(su_psql -d postgres -Atc 'SHOW listen_addresses')" ]; then
      # Started by an older version of this script, listening on TCP: restart it socket-only.
      as_pg "$bindir/pg_ctl" -D "$dir/pgdata" -l "$dir/server.log" -o "-p $port -k $dir/sock -c listen_addresses=''" -m fast -w -t 60 restart >/dev/null
    else
      as_pg "$bindir/pg_ctl" -D "$dir/pgdata" reload >/dev/null
    fi
    setup_roles
    url
    ;;
  stop)
    if [ -f "$dir/pgdata/postmaster.pid" ]; then
      as_pg "$bindir/pg_ctl" -D "$dir/pgdata" -m fast -w stop >/dev/null || true
    fi
    ;;
  restart)
    mode=${3:-fast}
    as_pg "$bindir/pg_ctl" -D "$dir/pgdata" -l "$dir/server.log" -m "$mode" -w -t 60 restart >/dev/null
    ;;
  for-tests)
    # The private cluster of `make test` only: store tests migrate databases of their own (one each, or copies of
    # a template), so the owner may create databases and log in to any of them. make run's cluster never does this.
    su_psql -d postgres -c "ALTER ROLE sweep_owner CREATEDB"
    printf 'local all sweep_owner scram-sha-256\n' >>"$dir/pgdata/pg_hba.conf"
    as_pg "$bindir/pg_ctl" -D "$dir/pgdata" reload >/dev/null
    ;;
  url) url ;;
  owner-url) owner_url ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
