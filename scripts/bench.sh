#!/usr/bin/env bash
# make bench: build release binaries, then measure on a private stack (see Tests/Bench/bench.py).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh
venv=$root/.venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r Tests/requirements.txt
fi
echo "building (release)..."
swift build -c release 2>&1 | tail -n 1
export SWEEP_TEST_OUTPUT=$root/.test-output
mkdir -p "$SWEEP_TEST_OUTPUT"
# Arguments pass through, e.g. scripts/bench.sh --only sse
"$venv/bin/python" Tests/Bench/bench.py "$@"
