#!/usr/bin/env bash
# make run: build, start PostgreSQL (embedded cluster under .data/ unless SWEEP_DATABASE_URL is set), migrate,
# start the worker, the scheduler and nginx, ensure an admin exists, and print the URL and a login.
# Running it again is harmless: what runs is left running, what is missing is started.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
port=${SWEEP_PORT:-8080}
pg_port=${SWEEP_PG_PORT:-54329}
run_dir=$root/.run
data_dir=$root/.data
mkdir -p "$run_dir" "$data_dir"
# .data holds the admin's password and key (0600), the credentials key (0600) and the cluster: others may not
# list it; they may only pass through, which the cluster's user (postgres) needs to reach .data/pg.
chmod 711 "$data_dir"

scripts/install-deps.sh
echo "building (release)..."
swift build -c release 2>&1 | tail -n 1
bin=$(swift build -c release --show-bin-path)

# Every SWEEP_ setting in this environment reaches the worker and the scheduler (they inherit it). Two defaults:
# - SWEEP_SECRET_KEY_FILE: the key that seals destination credentials (AES-256-GCM), made once, mode 0600.
# - SWEEP_EGRESS_ALLOW: HTTP destinations may reach 127.0.0.1 so the demo's examples/destinations/http.json
#   (a function server on 127.0.0.1:9000) works. Tenants can then make the scheduler call any service on
#   127.0.0.1: on a shared host set SWEEP_EGRESS_ALLOW= (empty) or a narrower block before `make run`.
export SWEEP_SECRET_KEY_FILE=${SWEEP_SECRET_KEY_FILE:-$data_dir/secret.key}
if [ ! -s "$SWEEP_SECRET_KEY_FILE" ]; then
  (umask 077; od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$SWEEP_SECRET_KEY_FILE.new" && mv "$SWEEP_SECRET_KEY_FILE.new" "$SWEEP_SECRET_KEY_FILE")
fi
chmod 600 "$SWEEP_SECRET_KEY_FILE"
export SWEEP_EGRESS_ALLOW=${SWEEP_EGRESS_ALLOW-127.0.0.1/32}

if [ -z "${SWEEP_DATABASE_URL:-}" ]; then
  SWEEP_DATABASE_URL=$(scripts/pg-cluster.sh start "$data_dir/pg" "$pg_port")
  SWEEP_DATABASE_OWNER_URL=$(scripts/pg-cluster.sh owner-url "$data_dir/pg" "$pg_port")
  echo "$data_dir/pg" >"$run_dir/pg.dir"
fi
export SWEEP_DATABASE_URL
export SWEEP_MIGRATIONS=$root/migrations
# Migrations run as the schema's owner; the worker and the scheduler never see that URL. With the key at hand,
# migrate also seals credentials stored before they were encrypted.
SWEEP_DATABASE_OWNER_URL=${SWEEP_DATABASE_OWNER_URL:-} PGOPTIONS="-c client_min_messages=warning" "$bin/sweep-api" migrate
unset SWEEP_DATABASE_OWNER_URL

# Sandboxed tasks reach the API through nginx's unix socket (bound into each sandbox); podman keeps this
# installation's images and containers in its own storage.
export SWEEP_API_SOCKET=${SWEEP_API_SOCKET:-$run_dir/sweep-api.sock}
export SWEEP_PODMAN_ROOT=${SWEEP_PODMAN_ROOT:-$data_dir/containers}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# The worker, the scheduler(s) and nginx run under scripts/supervise.sh, which restarts whichever dies (a crash,
# an OOM kill) with a capped backoff; `make stop` stops the supervisor first, and it stops them.
scripts/render-nginx.sh "$run_dir" "$port" "$run_dir/api.sock" >/dev/null
if alive "$run_dir/supervisor.pid"; then
  nginx -c "$run_dir/nginx.conf" -p "$run_dir" -s reload
else
  {
    echo "api $bin/sweep-api serve --socket $run_dir/api.sock"
    for i in $(seq 1 "${SWEEP_SCHEDULERS:-1}"); do
      echo "scheduler-$i env SWEEP_LOCAL_EXEC=${SWEEP_LOCAL_EXEC:-1} SWEEP_API_URL=${SWEEP_API_URL:-http://127.0.0.1:$port} $bin/sweep-scheduler"
    done
    echo "nginx $root/scripts/nginx-foreground.sh $run_dir"
  } >"$run_dir/services"
  # Its own session: a Ctrl-C or hang-up of the terminal that ran `make run` does not reach it.
  nohup setsid scripts/supervise.sh "$run_dir" "$run_dir/services" >>"$run_dir/supervisor.log" 2>&1 &
  echo $! >"$run_dir/supervisor.pid"
fi

url="http://127.0.0.1:$port"
# Wait (bounded) until the worker answers through nginx.
for _ in $(seq 1 100); do
  curl -fsS "$url/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$url/api/v1/health" >/dev/null || { echo "the API did not come up; see $run_dir/api.log" >&2; exit 1; }

# The first admin: created once, its password and key kept in .data/admin.env (mode 600) for later runs.
creds=$data_dir/admin.env
# umask 077 only in subshells: the rest of this script (the demo image's root file system) needs the usual one.
if [ ! -s "$creds" ]; then
  (umask 077; "$bin/sweep-api" create-user admin --admin --if-no-admin >"$creds.new")
  if [ -s "$creds.new" ]; then mv "$creds.new" "$creds"; else rm -f "$creds.new"; fi
fi
if [ -s "$creds" ]; then
  chmod 600 "$creds"  # a file from an older run may have been made with another umask
  # shellcheck disable=SC1090
  source "$creds"
fi
if [ -z "${SWEEP_API_KEY:-}" ] || ! curl -fsS -H "Authorization: Bearer $SWEEP_API_KEY" "$url/api/v1/me" >/dev/null 2>&1; then
  # An admin exists but its key is unknown here (or was revoked): mint a fresh one.
  (umask 077; "$bin/sweep-api" create-key "${SWEEP_USERNAME:-admin}" >"$creds.key")
  source "$creds.key"
  (umask 077; { echo "SWEEP_USERNAME=${SWEEP_USERNAME:-admin}"; [ -n "${SWEEP_PASSWORD:-}" ] && echo "SWEEP_PASSWORD=$SWEEP_PASSWORD"; echo "SWEEP_API_KEY=$SWEEP_API_KEY"; } >"$creds")
  rm -f "$creds.key"
  chmod 600 "$creds"
fi

# The demo container (SWEEP's hello_world, built from busybox-static) for the admin: seed examples 6-8 run in it.
# Only what is missing is done: an existing definition or image is kept (409).
demo_line="demo image  : none (podman, runc or busybox-static missing)"
if command -v podman >/dev/null && command -v runc >/dev/null && command -v busybox >/dev/null; then
  archive=$root/examples/hello_world_container/hello_world.tar
  # Built when missing or older than its script (an archive from an older script, e.g. one whose directories a
  # umask of 077 left unreadable to the container's user, is rebuilt and replaces the stored image).
  overwrite=false
  if [ ! -s "$archive" ] || [ examples/hello_world_container/build-image.sh -nt "$archive" ]; then
    examples/hello_world_container/build-image.sh "$archive" >/dev/null
    overwrite=true
  fi
  auth=(-H "Authorization: Bearer $SWEEP_API_KEY")
  curl -sS -o /dev/null "${auth[@]}" -H "Content-Type: application/json" -d '{"id":"local","cloud_provider":"local"}' "$url/api/v1/destinations"
  curl -sS -o /dev/null "${auth[@]}" -H "Content-Type: application/json" \
    -d @examples/hello_world_container/container_def_hello_world.json "$url/api/v1/containers"
  code=$(curl -sS -o /dev/null -w '%{http_code}' "${auth[@]}" -X PUT -H "Content-Type: application/x-tar" \
    --data-binary @"$archive" "$url/api/v1/containers/cdef_hello_world/image?overwrite=$overwrite")
  case $code in
    200|409) demo_line="demo image  : hello_world:latest, container definition cdef_hello_world (seed examples 6-8)" ;;
    *) demo_line="demo image  : upload failed (HTTP $code)" ;;
  esac
fi

cat <<MSG

Sweep is running.
  status page : $url/
  API         : $url/api/v1/   (OpenAPI: $url/openapi.yaml)
  login       : ${SWEEP_USERNAME:-admin} / ${SWEEP_PASSWORD:-(unchanged; see .data/admin.env)}
  logs        : $run_dir/*.log        stop with: make stop
  $demo_line

SWEEP_URL=$url
SWEEP_API_KEY=$SWEEP_API_KEY
MSG
