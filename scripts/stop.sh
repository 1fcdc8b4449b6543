#!/usr/bin/env bash
# make stop: stop what make run started, by PID: the supervisor first.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
run_dir=$root/.run
stop_pid() {
  local file=$1 tenths=${2:-100}
  [ -f "$file" ] || return 0
  local pid; pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 "$tenths"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$file"
}
# The supervisor first (it would restart what we stop), which stops the services it runs; then anything a run
# before the supervisor existed left behind.
stop_pid "$run_dir/supervisor.pid" 200  # it gives its services 15 s
[ -f "$run_dir/nginx.pid" ] && nginx -c "$run_dir/nginx.conf" -p "$run_dir" -s quit 2>/dev/null
for file in "$run_dir"/scheduler*.pid "$run_dir/api.pid"; do stop_pid "$file"; done
if [ -f "$run_dir/pg.dir" ]; then
  "$root/scripts/pg-cluster.sh" stop "$(cat "$run_dir/pg.dir")"
  rm -f "$run_dir/pg.dir"
fi
echo "stopped"
