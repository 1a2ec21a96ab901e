#!/usr/bin/env bash
# Profiles one launcher variant under the new-connections workload: JFR (settings=profile) and a GC
# log, then prints the user/system CPU split, the TIME_WAIT count, the hottest native and Java
# frames, the top allocation sites and the number of Throwables per connection.
#
#   benchmarks/compare/profile.sh [EPOLL|NIO|IO_URING] [seconds]      # default EPOLL 12
#
# Run it alone (not while run.sh runs): it shares the 2 cores the same way. Needs the jars run.sh builds.
set -euo pipefail
MODE=${1:-EPOLL}
SECONDS_RUN=${2:-12}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TOOL_JAR="$ROOT/benchmarks/target/benchmarks.jar"
LAUNCHER_JAR="$ROOT/nlb-launcher/target/nlb-launcher-$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$ROOT/pom.xml")-exec.jar"
WORK=$(mktemp -d /tmp/nlb-profile.XXXXXX)
PIDS=()
source "$(dirname "$0")/lib.sh"
tool() { java -cp "$TOOL_JAR" io.nlb.benchmarks.load.LoadTool "$@"; }

NATIVE_CP=$(cd "$ROOT" && mvn -q -o dependency:build-classpath -pl nlb-transport-netty -Dmdep.outputFile=/dev/stdout 2>/dev/null \
  | tr ':' '\n' | grep -E 'netty-transport-(native|classes)-(epoll|io_uring)|native-unix-common' | paste -sd: || true)
mapfile -t P < <(tool free-ports 4)
# java itself in the background (not the tool function) so that $! is the JVM's PID.
java -cp "$TOOL_JAR" io.nlb.benchmarks.load.LoadTool target --echo "${P[0]},${P[1]}" --sink "${P[3]}" > "$WORK/target.log" 2>&1 &
PIDS+=($!)
# The launcher watches its file's directory: keep the recording and logs out of it.
mkdir -p "$WORK/cfg"
one_listener_yaml profile TCP "$MODE" "${P[2]}" "${P[0]}" "${P[1]}" > "$WORK/cfg/launcher.yaml"
java -XX:StartFlightRecording=filename="$WORK/launcher.jfr",settings=profile${JFR_EXTRA:-} -Xlog:gc:file="$WORK/gc.log" \
  -cp "$LAUNCHER_JAR:$NATIVE_CP" io.nlb.launcher.Launcher "$WORK/cfg/launcher.yaml" > "$WORK/launcher.log" 2>&1 &
LP=$!; PIDS+=("$LP")
for _ in $(seq 1 150); do grep -q "listening on .*:${P[2]}" "$WORK/launcher.log" && break; sleep 0.2; done
read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$LP/stat")
echo "TIME_WAIT sockets before: $(ss -tan state time-wait | wc -l)"
tool bench --names "nlb-$MODE" --echo "127.0.0.1:${P[2]}" --sink "127.0.0.1:${P[3]}" --pids "$LP" --rounds 1 \
  --conn-seconds "$SECONDS_RUN" --latency-seconds 0.1 --bulk-mib 1 --warmup-seconds 0 --out "$WORK/rows.tsv" 2>&1 | grep connrate
read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$LP/stat")
CONNS=$(awk -F'\t' '$4=="conn_per_s" {print $5}' "$WORK/rows.tsv")
echo "launcher CPU during the workload: user $(( (u1 - u0) * 10 )) ms, system $(( (s1 - s0) * 10 )) ms; TIME_WAIT after: $(ss -tan state time-wait | wc -l)"
kill "$LP"; wait "$LP" 2>/dev/null || true
JFR="$WORK/launcher.jfr"
top_frames() { jfr print --events "$1" "$JFR" | awk '/stackTrace = \[/ {getline; gsub(/^[ \t]+/, ""); sub(/line:.*/, ""); print}' | sort | uniq -c | sort -rn | head -"$2"; }
echo "--- native-method samples (top of stack)"; top_frames jdk.NativeMethodSample 8
echo "--- Java execution samples (top of stack)"; top_frames jdk.ExecutionSample 12
echo "--- allocation (sampled weight by class <- allocating frame)"
jfr print --events jdk.ObjectAllocationSample "$JFR" | awk '
  /objectClass = / {cls=$3}
  /weight = / {w=$3; unit=$4; gsub(/,/, "", w); m=1; if (unit ~ /MB/) m=1048576; else if (unit ~ /kB/) m=1024}
  /stackTrace = \[/ {getline a; gsub(/^[ \t]+/, "", a); sub(/line:.*/, "", a); tot[cls " <- " a]+=w*m}
  END {for (k in tot) printf "%9.1f MB  %s\n", tot[k]/1048576, k}' | sort -rn | head -12
THROWABLES=$(jfr print --events jdk.ExceptionStatistics "$JFR" | awk '/throwables =/ {gsub(/,/, "", $3); v=$3} END {print v}')
echo "--- Throwables created: $THROWABLES over ~$(awk -v r="$CONNS" -v s="$SECONDS_RUN" 'BEGIN {printf "%d", r*s}') connections"
echo "--- GC: $(grep -c Pause "$WORK/gc.log") pauses; last: $(grep Pause "$WORK/gc.log" | tail -1)"
echo "recording and logs: $WORK"
