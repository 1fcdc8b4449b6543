#!/usr/bin/env bash
# make test: the whole suite. Unit tests (Swift Testing, with a private PostgreSQL for the Postgres layer) and
# integration tests (pytest) that start real PostgreSQL, worker, scheduler and nginx processes and talk HTTP.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=$root/.test-output
mkdir -p "$out"
chmod 755 "$out"
export SWEEP_TEST_OUTPUT=$out

scripts/install-deps.sh --test

# Python tools for the integration, browser and API-fuzz tests, in a private venv.
venv=$root/.venv
if [ ! -x "$venv/bin/pytest" ] || ! cmp -s "$root/Tests/requirements.txt" "$venv/requirements.txt"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$root/Tests/requirements.txt"
  cp "$root/Tests/requirements.txt" "$venv/requirements.txt"
fi

# Pass or fail is each command's exit status (PIPESTATUS), never a grep of its output; the filtered output only
# keeps the log readable.
echo "== build"
swift build --build-tests 2>&1 | tee "$out/build.log" | grep -E "error|warning: unre|Build complete" | grep -v "^\[" | tail -n 20 || true
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "build failed; see $out/build.log"; exit 1; }
export SWEEP_BIN=$(swift build --show-bin-path)

# A private cluster for the unit tests of the Postgres layer; stopped by PID on exit.
pg_dir=$out/unit-pg
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { "$root/scripts/pg-cluster.sh" stop "$pg_dir" >/dev/null 2>&1 || true; }  # absolute: the script cd-s into Tests/Integration
trap cleanup EXIT
scripts/pg-cluster.sh start "$pg_dir" "$pg_port" >/dev/null
# The Postgres layer's tests create tables: they run as the database's owner, not as the app.
export SWEEP_TEST_DATABASE_URL=$(scripts/pg-cluster.sh owner-url "$pg_dir" "$pg_port")
# Store tests migrate databases of their own: in this private cluster only, the owner may create them.
scripts/pg-cluster.sh for-tests "$pg_dir" "$pg_port"

echo "== unit tests"
# The status is swift test's own: read after `|| true` under pipefail, PIPESTATUS was `true`'s, and a failing unit
# test let make test pass.
unit_status=0
swift test --skip-build > "$out/unit.log" 2>&1 || unit_status=$?
grep -E "✘|error:|failed after|Test run" "$out/unit.log" | tail -n 40 || true
[ "$unit_status" -eq 0 ] || { echo "unit tests failed; see $out/unit.log"; exit 1; }

echo "== integration tests"
cd "$root/Tests/Integration"
"$venv/bin/pytest" -q -x --timeout=300 -p no:cacheprovider "$@"

# The Python client (clients/python) as a user installs it: into a fresh venv, with nothing but the package index
# (the build fetches flit_core; the package itself depends on nothing). Its suite runs against its own real stack,
# importing the installed copy (SWEEP_CLIENT_SITE) with the harness tools (pytest, requests) of the test venv.
echo "== python client"
client_venv=$out/client-venv
rm -rf "$client_venv"
python3 -m venv --without-pip "$client_venv"
"$venv/bin/pip" --python "$client_venv/bin/python" install -q --disable-pip-version-check "$root/clients/python"
client_site=$("$client_venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
cd "$root/clients/python"
SWEEP_CLIENT_SITE=$client_site SWEEP_CLIENT_PYTHON=$client_venv/bin/python PYTHONPATH=$client_site \
  "$venv/bin/pytest" -q -x --timeout=120 -p no:cacheprovider tests
