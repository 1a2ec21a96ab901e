#!/usr/bin/env bash
# The attacks of issue #19 against the launcher on loopback: TLS record headers claiming 65,535
# bytes, TLS handshakes that stall holding 16,000 bytes, and a UDP flood from fresh source ports,
# each while a normal client probes TLS, TCP and UDP. See benchmarks/attacks/README.md.
#
#   benchmarks/attacks/run.sh                                   # starts its own launcher (about 2 minutes)
#   TLS_PORT=8443 TCP_PORT=8080 UDP_PORT=5353 LAUNCHER_PID=1234 benchmarks/attacks/run.sh   # a running one
#
# Only loopback addresses are used. Every process the script starts is stopped by PID on exit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/benchmarks/attacks"
CONNECTIONS=${CONNECTIONS:-1500}
DATAGRAMS=${DATAGRAMS:-100000}
HOLD_SECONDS=${HOLD_SECONDS:-10}
FD_LIMIT=${FD_LIMIT:-4096}
LAUNCHER_JVM_FLAGS=${LAUNCHER_JVM_FLAGS:--Xmx256m -XX:MaxDirectMemorySize=64m}
ATTACKS=${ATTACKS:-tls-records,tls-stall,udp-flood}
WORK=$(mktemp -d "/tmp/nlb-attacks.$(date +%Y%m%d-%H%M%S).XXXXXX")
PIDS=()
source "$ROOT/benchmarks/compare/lib.sh"
attacks() { java "$HERE/Attacks.java" "$@"; }

if [[ -z ${LAUNCHER_PID:-} ]]; then
  LAUNCHER_JAR=${LAUNCHER_JAR:-}
  for j in "$ROOT/nlb-launcher/target/nlb-launcher.jar" "$ROOT/examples/target/nlb-launcher.jar"; do
    [[ -n $LAUNCHER_JAR || ! -f $j ]] || LAUNCHER_JAR=$j
  done
  if [[ -z $LAUNCHER_JAR ]]; then
    log "building the launcher jar"
    (cd "$ROOT" && mvn -B -ntp -q -o package -DskipTests >/dev/null)
    for j in "$ROOT/nlb-launcher/target/nlb-launcher.jar" "$ROOT/examples/target/nlb-launcher.jar"; do
      [[ -n $LAUNCHER_JAR || ! -f $j ]] || LAUNCHER_JAR=$j
    done
  fi
  mapfile -t P < <(shuf -i 20000-32000 -n 5)
  TLS_PORT=${P[0]} TCP_PORT=${P[1]} UDP_PORT=${P[2]} ECHO_TCP=${P[3]} ECHO_UDP=${P[4]}
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/key.pem" -out "$WORK/crt.pem" \
    -days 2 -subj /CN=attacks.example 2>/dev/null
  java "$HERE/Attacks.java" targets "$ECHO_TCP" "$ECHO_UDP" > "$WORK/targets.log" 2>&1 &
  PIDS+=($!)
  wait_for_line "$WORK/targets.log" "targets ready" "$!" 60
  cat > "$WORK/launcher.yaml" <<YAML
transport: {ioMode: NIO, threads: 2}
healthChecks: false
targetGroups:
  - {name: echo, protocol: TCP, port: $ECHO_TCP, targetType: ip, targets: [{id: 127.0.0.1, port: $ECHO_TCP}]}
  - {name: dns, protocol: UDP, port: $ECHO_UDP, targetType: ip, targets: [{id: 127.0.0.1, port: $ECHO_UDP}]}
loadBalancers:
  - name: attacked
    zones:
      - {name: zone-a, addresses: [127.0.0.1], targetRanges: [127.0.0.0/8]}
    listeners:
      - protocol: TLS
        port: $TLS_PORT
        targetGroup: echo
        sslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06
        certificate: {certificateChain: $WORK/crt.pem, privateKey: $WORK/key.pem}
      - {protocol: TCP, port: $TCP_PORT, targetGroup: echo}
      - {protocol: UDP, port: $UDP_PORT, targetGroup: dns}
YAML
  # shellcheck disable=SC2086
  (ulimit -n "$FD_LIMIT" && exec java $LAUNCHER_JVM_FLAGS -jar "$LAUNCHER_JAR" "$WORK/launcher.yaml") > "$WORK/launcher.log" 2>&1 &
  LAUNCHER_PID=$!
  PIDS+=("$LAUNCHER_PID")
  wait_for_line "$WORK/launcher.log" "listening on .*127.0.0.1:$TLS_PORT\b" "$LAUNCHER_PID" 60
  LAUNCHER_LOG="$WORK/launcher.log"
  log "launcher $LAUNCHER_PID: java $LAUNCHER_JVM_FLAGS -jar $(basename "$LAUNCHER_JAR") under ulimit -n $FD_LIMIT"
fi
LAUNCHER_LOG=${LAUNCHER_LOG:-}

loops() {   # event-loop threads of the launcher (Netty names them ...EventLoop...; comm keeps 15 characters)
  grep -l 'IoEv' /proc/"$LAUNCHER_PID"/task/*/comm 2>/dev/null | wc -l
}
loglines() { [[ -n $LAUNCHER_LOG ]] && wc -l < "$LAUNCHER_LOG" || echo '?'; }
frames() { if [[ -n $LAUNCHER_LOG ]]; then grep -c $'^\tat ' "$LAUNCHER_LOG" || true; else echo '?'; fi; }

echo "| attack | size | attack (s) | TLS / TCP / UDP probes ok during | ... after (${AFTER_SECONDS:-5} s) | worst probe (ms) | event-loop threads before → after | log lines added (stack frames) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
IFS=, read -r -a LIST <<< "$ATTACKS"
for a in "${LIST[@]}"; do
  before_loops=$(loops); before_lines=$(loglines); before_frames=$(frames)
  row=$(attacks attack --tls "$TLS_PORT" --tcp "$TCP_PORT" --udp "$UDP_PORT" --attacks "$a" --connections "$CONNECTIONS" \
    --datagrams "$DATAGRAMS" --hold-seconds "$HOLD_SECONDS" --after-seconds "${AFTER_SECONDS:-5}" | tail -1)
  IFS=$'\t' read -r name size secs tlsd tcpd udpd tlsa tcpa udpa worst <<< "$row"
  after_loops=$(loops); after_lines=$(loglines); after_frames=$(frames)
  added='?'; [[ $after_lines == '?' ]] || added=$((after_lines - before_lines))
  frames='?'; [[ $after_frames == '?' ]] || frames=$((after_frames - before_frames))
  kill -0 "$LAUNCHER_PID" 2>/dev/null || { log "the launcher died"; exit 1; }
  echo "| $name | $size | $secs | $tlsd / $tcpd / $udpd | $tlsa / $tcpa / $udpa | $worst | $before_loops → $after_loops | $added ($frames) |"
done
[[ -z $LAUNCHER_LOG ]] || log "launcher log: $LAUNCHER_LOG"
