#!/usr/bin/env bash
# Render nginx/sweep.conf.template into RUN_DIR/nginx.conf.
#   render-nginx.sh RUN_DIR PORT SOCKET [EXTRA_SERVERS_FILE]
# Env: SWEEP_API_SOCKET (nginx's unix socket for sandboxed tasks, default RUN_DIR/sweep-api.sock), SWEEP_LOGIN_RATE (default 5r/s), SWEEP_LOGIN_BURST (default 20), SWEEP_NGINX_ACCESS_LOG (default RUN_DIR/nginx-access.log),
#      SWEEP_LIMIT_STORED_BYTES (artifact upload cap, default 1 GiB = LimitDefaults.defaultMaxStoredBytes in the worker)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
run_dir=$(realpath -m "$1"); port=$2; socket=$(realpath -m "$3"); extra=${4:-}
mkdir -p "$run_dir/nginx-tmp"/{body,fastcgi,proxy,uwsgi,scgi}
user_line=""
if [ "$(id -u)" = 0 ]; then
  # nginx's workers drop to nobody when the master is root: they need the temp dirs.
  chown -R nobody "$run_dir/nginx-tmp"
  user_line="user nobody nogroup;"
fi
access_log=${SWEEP_NGINX_ACCESS_LOG:-$run_dir/nginx-access.log}
api_socket=$(realpath -m "${SWEEP_API_SOCKET:-$run_dir/sweep-api.sock}")
# Values travel as arguments and environment, never pasted into the Python source (a quote or a backslash in a
# path could not break out of it).
RUN_DIR="$run_dir" PORT="$port" SOCKET="$socket" PUBLIC_DIR="$here/public" USER_LINE="$user_line" \
LOGIN_RATE="${SWEEP_LOGIN_RATE:-5r/s}" LOGIN_BURST="${SWEEP_LOGIN_BURST:-20}" ACCESS_LOG="$access_log" API_SOCKET="$api_socket" \
STORED_BYTES="${SWEEP_LIMIT_STORED_BYTES:-1073741824}" \
python3 - "$here/nginx/sweep.conf.template" "$run_dir/nginx.conf" "$extra" <<'PY'
import os
import sys
template, target, extra = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(template).read()
for key in ("RUN_DIR", "PORT", "SOCKET", "PUBLIC_DIR", "USER_LINE", "LOGIN_RATE", "LOGIN_BURST", "ACCESS_LOG", "API_SOCKET", "STORED_BYTES"):
    text = text.replace("@" + key + "@", os.environ[key])
text = text.replace("@EXTRA_SERVERS@", open(extra).read() if extra else "")
open(target, "w").write(text)
PY
echo "$run_dir/nginx.conf"
