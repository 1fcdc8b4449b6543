#!/usr/bin/env bash
# Render nginx/sweep.conf.template into RUN_DIR/nginx.conf.
#   render-nginx.sh RUN_DIR PORT SOCKET [EXTRA_SERVERS_FILE]
# Env: SWEEP_API_SOCKET (nginx's unix socket for sandboxed tasks, default RUN_DIR/sweep-api.sock), SWEEP_LOGIN_RATE (default 5r/s), SWEEP_LOGIN_BURST (default 20), SWEEP_NGINX_ACCESS_LOG (default RUN_DIR/nginx-access.log),
#      SWEEP_LIMIT_STORED_BYTES (artifact upload cap, default 1 GiB = StorageLimits.defaultStoredBytes in the worker)
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
extra_text=""
[ -n "$extra" ] && extra_text=$(cat "$extra")
access_log=${SWEEP_NGINX_ACCESS_LOG:-$run_dir/nginx-access.log}
api_socket=$(realpath -m "${SWEEP_API_SOCKET:-$run_dir/sweep-api.sock}")
python3 - "$here/nginx/sweep.conf.template" "$run_dir/nginx.conf" <<PY
import sys
text = open(sys.argv[1]).read()
values = {
    "RUN_DIR": "$run_dir", "PORT": "$port", "SOCKET": "$socket", "PUBLIC_DIR": "$here/public",
    "USER_LINE": "$user_line", "LOGIN_RATE": "${SWEEP_LOGIN_RATE:-5r/s}", "LOGIN_BURST": "${SWEEP_LOGIN_BURST:-20}",
    "ACCESS_LOG": "$access_log", "API_SOCKET": "$api_socket", "STORED_BYTES": "${SWEEP_LIMIT_STORED_BYTES:-1073741824}",
}
for k, v in values.items():
    text = text.replace("@" + k + "@", v)
text = text.replace("@EXTRA_SERVERS@", open("/dev/stdin").read() if False else """$extra_text""")
open(sys.argv[2], "w").write(text)
PY
echo "$run_dir/nginx.conf"
