#!/usr/bin/env bash
# Where the launcher's resident memory goes, at start and holding IDLE_CONNS idle connections: the
# distribution (bin/nlb run, its default JVM flags, AUTO I/O mode, one TCP listener over two echo
# targets, transport.threads 2) started with native memory tracking, then sampled twice: before any
# connection and while LoadTool holds IDLE_CONNS connections (each proven by a one-byte echo).
# Each sample: VmRSS, threads, `jcmd VM.native_memory summary`, `jcmd GC.class_histogram` (a full
# GC: live objects), `jcmd GC.heap_info`, and /proc/PID/smaps summed by kind of mapping. The two
# class histograms are diffed into the classes that grew, per connection; last, how much a
# `jcmd System.trim_native_heap` gives back (C heap freed but kept by glibc). Raw samples stay in
# /tmp/nlb-idle-breakdown.*. docs/performance.md says how to read it.
#
#   benchmarks/compare/idle-breakdown.sh                           # bin/nlb's default flags
#   NLB_JVM_DEFAULTS="-Xmx256m -XX:+UseSerialGC" benchmarks/compare/idle-breakdown.sh   # other flags
#   NLB_JAVA_OPTS="-Dio.netty.allocator.type=pooled" benchmarks/compare/idle-breakdown.sh
#   IO_MODE=EPOLL IDLE_CONNS=2000 benchmarks/compare/idle-breakdown.sh
#
# Needs the distribution and the benchmark jar (mvn -pl nlb-launcher,benchmarks -am package
# -DskipTests). Binds 127.0.0.1 only; every process started here is stopped by PID on exit.
set -euo pipefail

IDLE_CONNS=${IDLE_CONNS:-5000}
IO_MODE=${IO_MODE:-AUTO}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VERSION=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$ROOT/pom.xml")
DIST_TGZ="$ROOT/nlb-launcher/target/nlb-launcher-$VERSION.tar.gz"
TOOL_JAR="$ROOT/benchmarks/target/benchmarks.jar"
WORK=$(mktemp -d "/tmp/nlb-idle-breakdown.$(date +%Y%m%d-%H%M%S).XXXXXX")
PIDS=()
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
tool() { java -Xms64m -Xmx512m -cp "$TOOL_JAR" io.nlb.benchmarks.load.LoadTool "$@"; }

[[ -f $DIST_TGZ && -f $TOOL_JAR ]] || { log "build first: mvn -pl nlb-launcher,benchmarks -am package -DskipTests"; exit 1; }
ulimit -n "$(ulimit -Hn)"
((${IDLE_CONNS} * 2 + 1000 <= $(ulimit -n))) || { log "ulimit -n too low for $IDLE_CONNS connections"; exit 1; }
mkdir -p "$WORK/dist" "$WORK/conf" && tar -xzf "$DIST_TGZ" -C "$WORK/dist"
DIST_HOME=$(echo "$WORK"/dist/nlb-launcher-*)
mapfile -t PORTS < <(tool free-ports 3)
E1=${PORTS[0]} E2=${PORTS[1]} LP=${PORTS[2]}
java -Xms64m -Xmx256m -cp "$TOOL_JAR" io.nlb.benchmarks.load.LoadTool target --echo "$E1,$E2" --threads 2 \
  > "$WORK/target.log" 2>&1 &
PIDS+=("$!"); wait_for_line "$WORK/target.log" "target ready" "$!" 30
one_listener_yaml breakdown TCP "$IO_MODE" "$LP" "$E1" "$E2" > "$WORK/conf/nlb.yaml"

start() {   # starts bin/nlb with NMT on top of whatever NLB_JVM_DEFAULTS / NLB_JAVA_OPTS say; sets NLB_PID
  NLB_JAVA_OPTS="${NLB_JAVA_OPTS:-} -XX:NativeMemoryTracking=summary" "$DIST_HOME/bin/nlb" run "$WORK/conf/nlb.yaml" \
    > "$WORK/nlb-$1.log" 2>&1 &
  NLB_PID=$!; PIDS+=("$NLB_PID")
  wait_for_line "$WORK/nlb-$1.log" "listening on .*127.0.0.1:$LP\b" "$NLB_PID" 60
}
# The first start makes the class-data archive (as a user's first run does); measure the second.
start prime; stop_pid "$NLB_PID"
start measured
sleep 2

smaps_kinds() {   # heap-info-file: Rss (KiB) in the Java heap's address range, in file mappings, and the rest
  python3 - "$1" "/proc/$NLB_PID/smaps" <<'PY'
import re, sys
# The heap's range from the heap's own lines (G1: one; Serial: the young and the old generation).
addrs = [int(a, 16) for line in open(sys.argv[1]) if re.search(r"heap|generation", line)
         for a in re.findall(r"0x[0-9a-f]+", line)]
lo, hi = min(addrs), max(addrs)
rss = {"heap": 0, "file mappings": 0, "other anonymous": 0}
kind = None
for line in open(sys.argv[2]):
    m = re.match(r"([0-9a-f]+)-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(\S*)", line)
    if m:
        start = int(m.group(1), 16)
        kind = "heap" if lo <= start < hi else "file mappings" if m.group(2).startswith("/") else "other anonymous"
    elif line.startswith("Rss:"):
        rss[kind] += int(line.split()[1])
print(", ".join(f"{k} {v / 1024:.1f} MiB" for k, v in rss.items()))
PY
}
sample() {   # label
  local f="$WORK/$1"
  grep -E 'VmRSS|VmHWM|RssAnon|RssFile' "/proc/$NLB_PID/status" > "$f.status"
  ls "/proc/$NLB_PID/task" | wc -l > "$f.threads"
  for t in /proc/"$NLB_PID"/task/*; do cat "$t/comm"; done | sed 's/[0-9]*$//' | sort | uniq -c > "$f.thread-names"
  jcmd "$NLB_PID" GC.class_histogram > "$f.histo"
  jcmd "$NLB_PID" VM.native_memory summary > "$f.nmt"
  jcmd "$NLB_PID" GC.heap_info > "$f.heap"
  cp "/proc/$NLB_PID/smaps" "$f.smaps-raw"
  smaps_kinds "$f.heap" > "$f.smaps"
  log "$1: $(tr '\n' ' ' < "$f.status")threads $(cat "$f.threads"); $(cat "$f.smaps")"
}
sample at-start

tool idle --name breakdown --to "127.0.0.1:$LP" --pid "$NLB_PID" --count "$IDLE_CONNS" --hold-seconds 3600 \
  --jvm false --out "$WORK/idle.tsv" > "$WORK/idle.log" 2>&1 &
IDLE_PID=$!; PIDS+=("$IDLE_PID")
FDS0=$(ls "/proc/$NLB_PID/fd" | wc -l)
deadline=$((SECONDS + 120))
until (($(ls "/proc/$NLB_PID/fd" | wc -l) >= FDS0 + 2 * IDLE_CONNS)); do
  ((SECONDS < deadline)) || { log "the connections did not open"; cat "$WORK/idle.log" >&2; exit 1; }
  sleep 0.5
done
sleep 5
sample holding

# How much of the resident set is memory the C heap (malloc) holds freed: glibc keeps freed chunks
# of its arenas resident until it is asked to give them back.
jcmd "$NLB_PID" System.trim_native_heap > "$WORK/trim.out" 2>&1 || true
log "after jcmd System.trim_native_heap: $(grep VmRSS "/proc/$NLB_PID/status" | tr -s ' \t' ' '); $(grep -o 'Trim native heap.*\|RSS.*' "$WORK/trim.out" | head -1)"
log "what grew while holding $IDLE_CONNS connections:"
python3 - "$WORK" "$IDLE_CONNS" <<'PY' >&2
import re, sys
work, n = sys.argv[1], int(sys.argv[2])
def histo(name):
    rows, total = {}, 0
    for line in open(f"{work}/{name}.histo"):
        f = line.split()
        if len(f) >= 4 and f[0].endswith(":") and f[0][:-1].isdigit():
            rows[f[3]] = (int(f[1]), int(f[2]))
        elif f and f[0] == "Total":
            total = int(f[2])
    return rows, total
(a, ta), (b, tb) = histo("at-start"), histo("holding")
print(f"  live heap {ta / 1048576:.1f} -> {tb / 1048576:.1f} MiB: {(tb - ta) / n:.0f} bytes per connection; classes that grew:")
grown = sorted(((b[c][1] - a.get(c, (0, 0))[1]) / n, (b[c][0] - a.get(c, (0, 0))[0]) / n, c) for c in b)
for per_bytes, per_count, c in reversed(grown):
    if per_bytes >= 8:
        print(f"  {per_count:8.2f} objects {per_bytes:7.1f} B  {c}")
def nmt(name):
    out = {}
    for line in open(f"{work}/{name}.nmt"):
        m = re.match(r"(?:-\s*([A-Za-z][A-Za-z ]*?)|(Total)):?\s*\(?reserved=\d+KB, committed=(\d+)KB", line.strip())
        if m:
            out[m.group(1) or m.group(2)] = int(m.group(3))
    return out
na, nb = nmt("at-start"), nmt("holding")
print("  NMT committed (KiB), at start -> holding, per connection:")
for k in nb:
    print(f"  {k:28s} {na.get(k, 0):8d} -> {nb[k]:8d}  {(nb[k] - na.get(k, 0)) * 1024 / n:+8.0f} B")
PY
log "samples in $WORK"
