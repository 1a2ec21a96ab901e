#!/usr/bin/env bash
# Costs per proxied TCP connection and per keep-alive round trip that machine load does not move:
# bytes allocated by the launcher's event-loop threads (JFR jdk.ThreadAllocationStatistics,
# dumped before and after a fixed amount of work) and system calls (strace -f -c on the launcher).
# Starts the launcher jar with the start script's heap and GC flags, an echo target, and
# ConnCount.java as the client (N connections with 4 client threads, then N round trips on one).
#
#   benchmarks/compare/conn-costs.sh [EPOLL|IO_URING|NIO] [N]            # default IO_URING 20000
#   LAUNCHER_JAR=/path/to/other-exec.jar EXTRA_FLAGS=-XX:-DoEscapeAnalysis benchmarks/compare/conn-costs.sh
#
# Prints bytes per connection and per round trip, and the system calls of 5,000 more connections
# and round trips under strace (STRACE=0 skips them). With the JIT's escape analysis on, what is
# allocated depends on what the compiler has done when the run starts (a few hundred bytes per
# connection between runs of one jar); -XX:-DoEscapeAnalysis counts every allocation the code makes.
# Needs the jars run.sh builds (mvn -B -ntp -q -pl nlb-launcher,benchmarks -am package -DskipTests).
set -euo pipefail
MODE=${1:-IO_URING}
N=${2:-20000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TOOL_JAR="$ROOT/benchmarks/target/benchmarks.jar"
LAUNCHER_JAR=${LAUNCHER_JAR:-"$ROOT/nlb-launcher/target/nlb-launcher-$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$ROOT/pom.xml")-exec.jar"}
WORK=$(mktemp -d /tmp/nlb-conn-costs.XXXXXX)
PIDS=()
source "$(dirname "$0")/lib.sh"
# The launcher watches its file's directory: keep the recordings and strace output out of it.
mkdir -p "$WORK/cfg"
mapfile -t P < <(java -cp "$TOOL_JAR" io.nlb.benchmarks.load.LoadTool free-ports 4)
java -cp "$TOOL_JAR" io.nlb.benchmarks.load.LoadTool target --echo "${P[0]},${P[1]}" --sink "${P[3]}" > "$WORK/target.log" 2>&1 &
PIDS+=($!)
one_listener_yaml costs TCP "$MODE" "${P[2]}" "${P[0]}" "${P[1]}" > "$WORK/cfg/launcher.yaml"
cat > "$WORK/alloc.jfc" <<'JFC'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0" label="allocation per thread">
  <event name="jdk.ThreadAllocationStatistics"><setting name="enabled">true</setting><setting name="period">1 s</setting></event>
</configuration>
JFC
# The start script's flags (nlb-launcher/src/dist/bin/nlb), without class-data sharing.
java -Xms256m -Xmx256m -XX:MaxDirectMemorySize=1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Xss512k ${EXTRA_FLAGS:-} \
  -XX:StartFlightRecording=filename="$WORK/rec.jfr",settings="$WORK/alloc.jfc" \
  -jar "$LAUNCHER_JAR" "$WORK/cfg/launcher.yaml" > "$WORK/launcher.log" 2>&1 &
LP=$!; PIDS+=("$LP")
wait_for_line "$WORK/launcher.log" "listening on .*:${P[2]}" "$LP" 30
client() { java "$(dirname "$0")/ConnCount.java" "$@"; }
loops_allocated() {   # bytes allocated so far by the event-loop threads, from a JFR dump
  jcmd "$LP" JFR.dump filename="$WORK/$1.jfr" > /dev/null
  jfr print --json --events jdk.ThreadAllocationStatistics "$WORK/$1.jfr" | jq -r '[.recording.events[].values
    | select(.thread.javaName | test("EventLoopGroup")) | {n: .thread.javaName, a: .allocated}]
    | group_by(.n) | map(max_by(.a).a) | add'
}
log "warm-up: 30000 connections, 30000 round trips"
client conn "${P[2]}" 30000 4 >&2; client rtt "${P[2]}" 30000 >&2
sleep 2; A=$(loops_allocated a)
client conn "${P[2]}" "$N" 4 >&2
sleep 2; B=$(loops_allocated b)
client rtt "${P[2]}" "$N" >&2
sleep 2; C=$(loops_allocated c)
echo "$MODE: event-loop bytes allocated per connection $(( (B - A) / N )), per round trip $(( (C - B) / N ))"
if [[ ${STRACE:-1} == 1 ]]; then
  for w in conn rtt; do
    strace -f -c -p "$LP" -o "$WORK/strace-$w.txt" 2> /dev/null & SP=$!
    sleep 1
    if [[ $w == conn ]]; then client conn "${P[2]}" 5000 4 >&2; else client rtt "${P[2]}" 5000 >&2; fi
    sleep 0.5; kill -INT "$SP"; wait "$SP" || true
    echo "$MODE: system calls per $w (strace -c, 5000):" \
      "$(awk 'NR > 2 && $NF != "total" && $4 >= 1000 {printf "%s %.2f, ", $NF, $4 / 5000}' "$WORK/strace-$w.txt")"
  done
fi
