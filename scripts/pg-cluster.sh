#!/usr/bin/env bash
# Start or stop a private PostgreSQL cluster owned by an unprivileged user (initdb/postgres refuse to run as root).
#   scripts/pg-cluster.sh start DATADIR PORT   -> creates the cluster on first use, starts it on 127.0.0.1:PORT and a
#                                                unix socket in DATADIR/sock, creates database "sweep"; prints its URL
#   scripts/pg-cluster.sh stop DATADIR         -> fast shutdown
#   scripts/pg-cluster.sh restart DATADIR MODE -> pg_ctl restart -m MODE (fast or immediate; for fault tests)
#   scripts/pg-cluster.sh url DATADIR PORT     -> prints the connection URL
set -euo pipefail
cmd=${1:?usage: pg-cluster.sh start|stop|url DATADIR [PORT]}
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
# A unix socket: a shorter round trip than TCP over loopback, and no network exposure at all.
url() { echo "postgresql://$pguser@/sweep?host=$dir/sock&port=$port"; }

case "$cmd" in
  start)
    mkdir -p "$dir"
    if [ ! -f "$dir/pgdata/PG_VERSION" ]; then
      mkdir -p "$dir/pgdata" "$dir/sock"
      [ "$(id -u)" = 0 ] && chown -R "$pguser" "$dir"
      chmod 700 "$dir/pgdata"
      as_pg "$bindir/initdb" -D "$dir/pgdata" --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1
      cat >>"$dir/pgdata/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
max_connections = 300
shared_buffers = 256MB
fsync = on
synchronous_commit = on
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
CONF
    fi
    [ "$(id -u)" = 0 ] && chown "$pguser" "$dir" "$dir/sock"
    if ! as_pg "$bindir/pg_ctl" -D "$dir/pgdata" status >/dev/null 2>&1; then
      as_pg "$bindir/pg_ctl" -D "$dir/pgdata" -l "$dir/server.log" -o "-p $port -k $dir/sock" -w -t 60 start >/dev/null
    fi
    as_pg "$bindir/psql" -h "$dir/sock" -p "$port" -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname='sweep'" | grep -q 1 \
      || as_pg "$bindir/createdb" -h "$dir/sock" -p "$port" sweep
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
  url) url ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
