#!/usr/bin/env bash
# nginx in the foreground, as scripts/supervise.sh runs it. A killed nginx leaves its unix socket behind (the
# sandboxes' way to the API, SWEEP_API_SOCKET), and a new nginx could not bind it: remove it first.
#   scripts/nginx-foreground.sh RUN_DIR      (RUN_DIR holds nginx.conf, rendered by render-nginx.sh)
set -euo pipefail
run_dir=${1:?usage: nginx-foreground.sh RUN_DIR}
if [ -n "${SWEEP_API_SOCKET:-}" ]; then rm -f "$SWEEP_API_SOCKET"; fi
exec nginx -c "$run_dir/nginx.conf" -p "$run_dir" -g 'daemon off;'
