#!/usr/bin/env bash
# System calls per relayed datagram of the launcher's UDP path, per I/O mode: the UDP echo workload
# of run.sh (CLIENTS sockets, each sending 64 B and waiting for its echo; two echo targets) while
# `strace -f -c` counts the launcher's calls. Counts, unlike packets/s, do not move with the
# machine's load (strace slows the proxy down, which it would not be without; nothing here is a rate).
#
#   benchmarks/compare/udp-syscalls.sh                         # EPOLL IO_URING NIO, 4 clients, 5 s each
#   MODES=EPOLL SECONDS_RUN=3 LAUNCHER_JAR=/tmp/base/nlb-launcher.jar benchmarks/compare/udp-syscalls.sh
#
# Needs strace and the jars run.sh builds. Every process it starts is stopped by PID on exit.
set -euo pipefail
MODES=${MODES:-EPOLL IO_URING NIO}
SECONDS_RUN=${SECONDS_RUN:-5}
CLIENTS=${CLIENTS:-4}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TOOL_JAR=${TOOL_JAR:-"$ROOT/benchmarks/target/benchmarks.jar"}
LAUNCHER_JAR=${LAUNCHER_JAR:-"$ROOT/nlb-launcher/target/nlb-launcher-$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$ROOT/pom.xml")-exec.jar"}
WORK=$(mktemp -d /tmp/nlb-udp-syscalls.XXXXXX)
PIDS=()
source "$(dirname "$0")/lib.sh"
tool() { java -cp "$TOOL_JAR" io.nlb.benchmarks.load.LoadTool "$@"; }

# The launcher jar carries Netty's native transports; NATIVE_CP may add others (run.sh's "cp" variants).
NATIVE_CP=${NATIVE_CP:-}
mapfile -t P < <(tool free-ports 2)
for up in "${P[0]}" "${P[1]}"; do
  java -cp "$TOOL_JAR" io.nlb.benchmarks.load.LoadTool udp-echo --port "$up" > "$WORK/echo-$up.log" 2>&1 &
  PIDS+=($!)
done
for up in "${P[0]}" "${P[1]}"; do
  for _ in $(seq 1 100); do grep -q "udp echo ready" "$WORK/echo-$up.log" && break; sleep 0.1; done
done

echo "| mode | datagrams relayed | system calls per datagram | of which (per datagram) |"
echo "| --- | ---: | ---: | --- |"
for mode in $MODES; do
  read -r LPORT < <(tool free-ports 1)
  mkdir -p "$WORK/cfg-$mode"   # the launcher watches its file's directory: nothing else is written there
  one_listener_yaml syscalls UDP "$mode" "$LPORT" "${P[0]}" "${P[1]}" > "$WORK/cfg-$mode/nlb.yaml"
  # shellcheck disable=SC2086
  java ${LAUNCHER_JVM_FLAGS:-} -cp "$LAUNCHER_JAR:$NATIVE_CP" io.nlb.launcher.Launcher "$WORK/cfg-$mode/nlb.yaml" > "$WORK/$mode.log" 2>&1 &
  LP=$!; PIDS+=("$LP")
  for _ in $(seq 1 150); do grep -q "listening on .*:$LPORT" "$WORK/$mode.log" && break; sleep 0.2; done
  # Warm-up without strace: flows open, JIT compiled.
  tool udp --name warm --to "127.0.0.1:$LPORT" --clients "$CLIENTS" --seconds 2 --out "$WORK/warm.tsv" > /dev/null
  strace -f -c -o "$WORK/strace-$mode.txt" -p "$LP" 2> "$WORK/strace-$mode.err" &
  SP=$!; PIDS+=("$SP")
  sleep 1 # strace attaches to every thread
  tool udp --name "$mode" --to "127.0.0.1:$LPORT" --clients "$CLIENTS" --seconds "$SECONDS_RUN" --out "$WORK/udp.tsv" > /dev/null
  kill -INT "$SP"; wait "$SP" 2>/dev/null || true
  kill "$LP"; wait "$LP" 2>/dev/null || true
  pps=$(awk -F'\t' -v m="$mode" '$3 == m && $4 == "pps" { print $5 }' "$WORK/udp.tsv")
  # Two datagrams through the proxy per echo.
  awk -v pps="$pps" -v s="$SECONDS_RUN" -v mode="$mode" '
    $1 ~ /^[0-9.]+$/ && NF >= 5 { name = $NF; calls = $4; if (name != "total") { c[name] = calls; total += calls } }
    END {
      n = 2 * pps * s; line = ""
      for (k in c) if (c[k] / n >= 0.01) line = line sprintf("%s %.2f, ", k, c[k] / n)
      printf "| %s | %d | %.2f | %s |\n", mode, n, total / n, substr(line, 1, length(line) - 2)
    }' "$WORK/strace-$mode.txt"
done
echo
echo "strace summaries in $WORK"
