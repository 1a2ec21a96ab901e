# Helpers shared by the scripts of this directory; sourced after they set WORK and PIDS. Every process a script
# starts goes into PIDS and is stopped by PID on exit.

log() { printf '[%s load %s] %s\n' "$(date +%T)" "$(cut -d' ' -f1 /proc/loadavg)" "$*" >&2; }

stop_pid() {   # stop one process we started: TERM, up to 15 s, then KILL
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  log "stopped ${#PIDS[@]} processes; logs and raw rows in $WORK"
}
trap cleanup EXIT

wait_for_line() {   # file pattern pid seconds
  local file=$1 pattern=$2 pid=$3 deadline=$((SECONDS + $4))
  until grep -q "$pattern" "$file" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then log "process $pid exited; $file:"; cat "$file" >&2; exit 1; fi
    if ((SECONDS > deadline)); then log "timed out waiting for '$pattern' in $file"; cat "$file" >&2; exit 1; fi
    sleep 0.2
  done
}

one_listener_yaml() {   # name protocol io-mode listener-port target-port target-port: a launcher file, one listener over two targets
  cat <<YAML
transport: {ioMode: $3, threads: 2}
healthChecks: false
targetGroups:
  - {name: tg, protocol: $2, port: $5, targetType: ip, targets: [{id: 127.0.0.1, port: $5}, {id: 127.0.0.1, port: $6}]}
loadBalancers:
  - name: $1
    zones: [{name: zone-a, addresses: [127.0.0.1], targetRanges: [127.0.0.0/8]}]
    listeners: [{protocol: $2, port: $4, targetGroup: tg}]
YAML
}
