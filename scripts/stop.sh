#!/usr/bin/env bash
# make stop: stop what make run started, by PID.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
run_dir=$root/.run
stop_pid() {
  local file=$1
  [ -f "$file" ] || return 0
  local pid; pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$file"
}
[ -f "$run_dir/nginx.pid" ] && nginx -c "$run_dir/nginx.conf" -p "$run_dir" -s quit 2>/dev/null
stop_pid "$run_dir/scheduler.pid"
stop_pid "$run_dir/api.pid"
if [ -f "$run_dir/pg.dir" ]; then
  "$root/scripts/pg-cluster.sh" stop "$(cat "$run_dir/pg.dir")"
  rm -f "$run_dir/pg.dir"
fi
echo "stopped"
