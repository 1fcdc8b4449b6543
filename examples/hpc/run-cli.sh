#!/bin/sh
# Seed 002 with the CLI: register, upload the large artifact, launch the scattered jobs and the gather, then read a
# job's stderr and download its output files. Needs `sweep` on PATH and SWEEP_URL / SWEEP_API_KEY (or `sweep login`).
# ARTIFACT (default: a fresh 8 MB file of random bytes) is the large input; OUT (default ./hpc-out) gets the files.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-./hpc-out}
mkdir -p "$out"
artifact=${ARTIFACT:-$out/largefile.h5}
[ -f "$artifact" ] || head -c 8000000 /dev/urandom > "$artifact"

sweep destination register "$here/destination.json" >/dev/null 2>&1 || true   # exists already: fine
sweep function upload "$here/job.json" "$here/job" >/dev/null
sweep function upload "$here/gather.json" "$here/gather" >/dev/null
sweep artifact upload "$artifact" --name largefile.h5
sweep workflow register "$here/hpc.json" >/dev/null

launch=$(sweep launch hpc --wait --json | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["launch_id"]); sys.exit(s["state"] != "succeeded")')
echo "launch $launch succeeded"
sweep logs "$launch" 1_B --stderr
sweep files "$launch" 1_B
sweep files "$launch" 1_B output1.txt -o "$out/output1_B.txt"
sweep files "$launch" 1_B frame_001.dat -o "$out/frame_001_B.dat"
sweep status "$launch" --json | python3 -c 'import json,sys; t={r["run_id"]: r for r in json.load(sys.stdin)["tasks"]}; print("gather:", json.dumps(t["2"]["output"]))'
