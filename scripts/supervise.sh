#!/usr/bin/env bash
# Keeps Sweep's processes up: starts every service of SERVICES_FILE and restarts any that dies, with a capped
# backoff (50 ms doubling to 2 s, reset once a service has stayed up for 10 s). TERM or INT stops the services
# (TERM, then KILL after 15 s) and then the supervisor.
#   scripts/supervise.sh RUN_DIR SERVICES_FILE
# SERVICES_FILE: one service a line, "NAME COMMAND…" (COMMAND runs with bash; it must stay in the foreground, e.g.
# nginx with -g 'daemon off;'). Each service writes RUN_DIR/NAME.log and RUN_DIR/NAME.pid while it runs, and runs
# in a session of its own, so what it leaves behind when killed (nginx workers of a killed master, a scheduler's
# children) is ended before the restart: otherwise a restarted nginx could not bind its port.
set -uo pipefail
run_dir=$(realpath -m "${1:?usage: supervise.sh RUN_DIR SERVICES_FILE}")
services=${2:?usage: supervise.sh RUN_DIR SERVICES_FILE}
initial_delay=0.05
max_delay=2
stable_seconds=10
stop_grace_seconds=15

declare -A command pid delay started
names=()
while read -r name rest; do
  [ -z "$name" ] || [[ $name == \#* ]] && continue
  names+=("$name")
  command[$name]=$rest
  delay[$name]=$initial_delay
done <"$services"

say() { echo "$(date -u +%FT%TZ) supervise: $*"; }

start() {
  local name=$1
  # setsid: the service leads its own process group (a background job of a script is never a group leader, so
  # setsid does not fork and $! is the service itself).
  setsid bash -c "exec ${command[$name]}" >>"$run_dir/$name.log" 2>&1 </dev/null &
  pid[$name]=$!
  # Not a job of this shell: bash still reaps it, but neither reports it nor keeps it for `wait`; the loop below
  # looks at each service itself (wait -n misses jobs that ended while another was being restarted).
  disown "${pid[$name]}"
  started[$name]=$SECONDS
  echo "${pid[$name]}" >"$run_dir/$name.pid"
  say "started $name (pid ${pid[$name]})"
}

# Ends what is left of a service's process group (the service itself is gone already or is being stopped).
sweep_group() { kill -KILL -- "-$1" 2>/dev/null || true; }

stopping=""
trap 'stopping=1' TERM INT

for name in "${names[@]}"; do start "$name"; done
echo $$ >"$run_dir/supervisor.pid"

while [ -z "$stopping" ]; do
  # A tenth of a second between looks; `wait` returns early when a trapped signal (TERM, INT) arrives.
  sleep 0.1 & wait $!
  [ -n "$stopping" ] && break
  for name in "${names[@]}"; do
    kill -0 "${pid[$name]}" 2>/dev/null && continue
    sweep_group "${pid[$name]}"
    if (( SECONDS - started[$name] >= stable_seconds )); then delay[$name]=$initial_delay; fi
    say "$name (pid ${pid[$name]}) exited; restarting in ${delay[$name]} s"
    sleep "${delay[$name]}"
    delay[$name]=$(awk -v d="${delay[$name]}" -v m="$max_delay" 'BEGIN { d *= 2; print (d > m ? m : d) }')
    [ -n "$stopping" ] && break
    start "$name"
  done
done

say "stopping"
for name in "${names[@]}"; do kill -TERM "${pid[$name]}" 2>/dev/null; done
deadline=$((SECONDS + stop_grace_seconds))
for name in "${names[@]}"; do
  while kill -0 "${pid[$name]}" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.05; done
  kill -0 "${pid[$name]}" 2>/dev/null && say "$name did not stop in time; killing it"
  sweep_group "${pid[$name]}"
  rm -f "$run_dir/$name.pid"
done
rm -f "$run_dir/supervisor.pid"
say "stopped"
