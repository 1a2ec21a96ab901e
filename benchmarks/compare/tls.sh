#!/usr/bin/env bash
# Loopback TLS comparison: the launcher terminating TLS with the JDK provider and with the OPENSSL
# provider (BoringSSL, netty-tcnative) vs HAProxy 2.6 terminating TLS (`ssl crt`), same certificate,
# same policy, same plaintext targets, same C client, measured in the same run and interleaved.
# See benchmarks/compare/README.md ("TLS").
#
#   benchmarks/compare/tls.sh                                   # 3 rounds, about 3 minutes on 2 cores
#   ROUNDS=1 HS_SECONDS=3 BULK_MIB=128 benchmarks/compare/tls.sh   # smoke run, under a minute
#
# Needs root only to install haproxy (apt-get) when it is missing. Everything binds 127.0.0.1 on
# ports the kernel reports free; every process started here is stopped by PID on exit.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
HS_SECONDS=${HS_SECONDS:-8}         # full-handshake workload, per setup per round
HS_CLIENTS=${HS_CLIENTS:-4}         # concurrent `openssl s_time -new` processes
BULK_MIB=${BULK_MIB:-256}           # bytes pushed through one TLS connection to the sink, per setup per round
WARMUP_SECONDS=${WARMUP_SECONDS:-5} # unrecorded handshakes (and BULK_MIB/4 of bulk) per setup first (JIT)
PROXY_THREADS=${PROXY_THREADS:-2}   # launcher transport threads = haproxy nbthread
KEY=${KEY:-rsa}                     # rsa (RSA 2048) or ec (ECDSA P-256), made at run time
IO_MODE=${IO_MODE:-EPOLL}           # launcher transport; NIO/IO_URING collapse under connection churn (README)
# A policy both providers serve exactly (PolicySupport; README's matrix), and HAProxy's equivalent.
POLICY=ELBSecurityPolicy-FS-1-2-Res-2020-10
POLICY_CIPHERS=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384
LAUNCHER_JVM_FLAGS=${LAUNCHER_JVM_FLAGS:-}
TARGET_JVM_FLAGS=${TARGET_JVM_FLAGS:--Xms64m -Xmx256m}

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT_DIR="$ROOT/benchmarks/compare"
RESULTS_DIR="$ROOT/benchmarks/results"
LAUNCHER_JAR="$ROOT/nlb-launcher/target/nlb-launcher-$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$ROOT/pom.xml")-exec.jar"
TOOL_JAR="$ROOT/benchmarks/target/benchmarks.jar"
STAMP=$(date +%Y%m%d-%H%M%S)
WORK=$(mktemp -d "/tmp/nlb-tls-compare.$STAMP.XXXXXX")
TSV="$WORK/results.tsv"
PIDS=()
CLK_TCK=$(getconf CLK_TCK)

# log, stop_pid, cleanup (trapped on EXIT: stops every pid in PIDS), wait_for_line
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime of one process, in clock ticks

# ---------------------------------------------------------------- prerequisites
if ! command -v haproxy >/dev/null; then
  log "installing haproxy"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
fi
if [[ ! -f "$LAUNCHER_JAR" || ! -f "$TOOL_JAR" ]]; then
  log "building the launcher and benchmark jars"
  (cd "$ROOT" && mvn -q -o -DskipTests -pl nlb-launcher,benchmarks -am package)
fi
# The OPENSSL provider needs netty-tcnative-boringssl-static, an optional dependency of nlb-tls that
# the launcher jar omits; the EPOLL transport needs Netty's epoll jars (optional in nlb-transport-netty).
EXTRA_CP=$(cd "$ROOT" && mvn -q -o dependency:build-classpath -pl nlb-tls,nlb-transport-netty -Dmdep.outputFile=/dev/stdout 2>/dev/null \
  | tr ':' '\n' | grep -E 'netty-tcnative|netty-transport-(native|classes)-(epoll|io_uring)|native-unix-common' | sort -u | paste -sd: || true)
[[ $EXTRA_CP == *tcnative-boringssl* ]] || { log "netty-tcnative-boringssl-static not found in ~/.m2 (run mvn dependency:resolve -pl nlb-tls)"; exit 1; }
HAPROXY_VERSION=$(haproxy -vv | sed -n 1p)
HAPROXY_SSL=$(haproxy -vv | grep -m1 'Running on OpenSSL' | sed 's/Running on //')
OPENSSL_VERSION=$(openssl version)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average $LOAD_START, work dir $WORK"

# ---------------------------------------------------------------- certificate, made now
case $KEY in
  rsa) openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/crt.pem" -days 2 \
         -subj /CN=bench.example -addext subjectAltName=DNS:bench.example 2>/dev/null; KEY_DESC="RSA 2048" ;;
  ec) openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/key.pem" -out "$WORK/crt.pem" -days 2 \
         -subj /CN=bench.example -addext subjectAltName=DNS:bench.example 2>/dev/null; KEY_DESC="ECDSA P-256" ;;
  *) log "KEY: $KEY (expected: rsa or ec)"; exit 2 ;;
esac
cat "$WORK/crt.pem" "$WORK/key.pem" > "$WORK/haproxy.pem"

tool() { java -cp "$TOOL_JAR" io.nlb.benchmarks.load.LoadTool "$@"; }
mapfile -t PORTS < <(tool free-ports 12)
E1=${PORTS[0]} E2=${PORTS[1]} S1=${PORTS[2]} S2=${PORTS[3]}

# ---------------------------------------------------------------- targets
java $TARGET_JVM_FLAGS -cp "$TOOL_JAR" io.nlb.benchmarks.load.LoadTool target \
  --echo "$E1,$E2" --sink "$S1,$S2" --threads 2 > "$WORK/target.log" 2>&1 &
TARGET_PID=$!; PIDS+=("$TARGET_PID")
wait_for_line "$WORK/target.log" "target ready" "$TARGET_PID" 30

# ---------------------------------------------------------------- proxies
launcher_yaml() {   # echo-port sink-port provider
  cat <<YAML
transport: {ioMode: $IO_MODE, threads: $PROXY_THREADS, tlsProvider: $3}
healthChecks: false
targetGroups:
  - name: echo
    protocol: TCP
    port: $E1
    targetType: ip
    targets: [{id: 127.0.0.1, port: $E1}, {id: 127.0.0.1, port: $E2}]
  - name: sink
    protocol: TCP
    port: $S1
    targetType: ip
    targets: [{id: 127.0.0.1, port: $S1}, {id: 127.0.0.1, port: $S2}]
loadBalancers:
  - name: bench
    zones:
      - {name: zone-a, addresses: [127.0.0.1], targetRanges: [127.0.0.0/8]}
    listeners:
      - protocol: TLS
        port: $1
        targetGroup: echo
        sslPolicy: $POLICY
        certificate: {certificateChain: $WORK/crt.pem, privateKey: $WORK/key.pem}
      - protocol: TLS
        port: $2
        targetGroup: sink
        sslPolicy: $POLICY
        certificate: {certificateChain: $WORK/crt.pem, privateKey: $WORK/key.pem}
YAML
}

haproxy_cfg() {   # echo-port sink-port
  cat <<CFG
global
  nbthread $PROXY_THREADS
  maxconn 8000
defaults
  mode tcp
  timeout connect 5s
  timeout client 1m
  timeout server 1m
frontend echo
  bind 127.0.0.1:$1 ssl crt $WORK/haproxy.pem ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2 ciphers $POLICY_CIPHERS
  default_backend echo
backend echo
  balance roundrobin
  server e1 127.0.0.1:$E1
  server e2 127.0.0.1:$E2
frontend sink
  bind 127.0.0.1:$2 ssl crt $WORK/haproxy.pem ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2 ciphers $POLICY_CIPHERS
  default_backend sink
backend sink
  balance roundrobin
  server s1 127.0.0.1:$S1
  server s2 127.0.0.1:$S2
CFG
}

NAMES=() ECHO_PORTS=() SINK_PORTS=() PROXY_PIDS=() NOTES=()
for provider in JDK OPENSSL; do
  name="nlb-${provider,,}"; ep=${PORTS[${#NAMES[@]} * 2 + 4]}; sp=${PORTS[${#NAMES[@]} * 2 + 5]}
  launcher_yaml "$ep" "$sp" "$provider" > "$WORK/$name.yaml"
  # shellcheck disable=SC2086
  java $LAUNCHER_JVM_FLAGS -cp "$LAUNCHER_JAR:$EXTRA_CP" io.nlb.launcher.Launcher "$WORK/$name.yaml" > "$WORK/$name.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
  wait_for_line "$WORK/$name.log" "listening on .*127.0.0.1:$sp\b" "$pid" 60
  logged=$(grep -o 'I/O mode [A-Z_]* ([A-Z_]*)' "$WORK/$name.log" | head -1 || true)
  NOTES+=("\`$name\`: \`java ${LAUNCHER_JVM_FLAGS:+$LAUNCHER_JVM_FLAGS }-cp nlb-launcher.jar:<tcnative-boringssl-static + epoll jars> io.nlb.launcher.Launcher\`, \`tlsProvider: $provider\`, \`ioMode: $IO_MODE\`${logged:+ (logs \"$logged\")}")
  NAMES+=("$name") ECHO_PORTS+=("$ep") SINK_PORTS+=("$sp") PROXY_PIDS+=("$pid")
done
ep=${PORTS[8]}; sp=${PORTS[9]}
haproxy_cfg "$ep" "$sp" > "$WORK/haproxy.cfg"
haproxy -c -q -f "$WORK/haproxy.cfg"
haproxy -db -f "$WORK/haproxy.cfg" > "$WORK/haproxy.log" 2>&1 &
pid=$!; PIDS+=("$pid")
deadline=$((SECONDS + 20))
until (exec 3<>"/dev/tcp/127.0.0.1/$sp") 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || { cat "$WORK/haproxy.log" >&2; exit 1; }
  ((SECONDS < deadline)) || { log "haproxy did not start"; exit 1; }
  sleep 0.2
done
NAMES+=(haproxy) ECHO_PORTS+=("$ep") SINK_PORTS+=("$sp") PROXY_PIDS+=("$pid")
log "started ${NAMES[*]}; pids ${PROXY_PIDS[*]}; target pid $TARGET_PID"

# What each setup negotiates with the client (one handshake, plus a 5-byte echo through the proxy).
NEGOTIATED=()
for i in "${!NAMES[@]}"; do
  for try in 1 2 3; do   # a cold JVM on a loaded machine may take more than a second for the first echo
    out=$( (printf 'hello'; sleep $((2 * try))) | timeout 20 openssl s_client -connect "127.0.0.1:${ECHO_PORTS[i]}" \
      -servername bench.example -no_ign_eof 2>&1 || true)
    ! grep -q '^hello' <<< "$out" || break
  done
  proto=$(grep -m1 -oE 'Protocol *: *TLSv[0-9.]+' <<< "$out" | grep -oE 'TLSv[0-9.]+' || echo '?')
  cipher=$(grep -m1 -oE 'Cipher is [A-Z0-9-]+' <<< "$out" | cut -d' ' -f3 || echo '?')
  temp=$(grep -m1 -oE 'Server Temp Key: [^,]+' <<< "$out" | cut -d' ' -f4 || echo '?')
  echo_ok=$(grep -q '^hello' <<< "$out" && echo "echo ok" || echo "echo NOT seen")
  NEGOTIATED+=("\`${NAMES[i]}\`: $proto $cipher, key exchange $temp, $echo_ok")
  [[ $echo_ok == "echo ok" ]] || { log "${NAMES[i]}: no echo through the proxy:"; echo "$out" >&2; exit 1; }
done

# ---------------------------------------------------------------- workloads
handshakes() {   # round setup-index seconds record?
  local round=$1 i=$2 secs=$3 record=$4 c total=0 user=0 cpu0 cpu1 pids=()
  cpu0=$(cpu_ticks "${PROXY_PIDS[i]}")
  for c in $(seq 1 "$HS_CLIENTS"); do
    openssl s_time -connect "127.0.0.1:${ECHO_PORTS[i]}" -new -time "$secs" > "$WORK/stime-$c.out" 2>&1 &
    pids+=($!)
  done
  for c in "${pids[@]}"; do wait "$c" || true; done
  cpu1=$(cpu_ticks "${PROXY_PIDS[i]}")
  for c in $(seq 1 "$HS_CLIENTS"); do
    n=$(grep -m1 -oE '^[0-9]+ connections in [0-9.]+s' "$WORK/stime-$c.out" | cut -d' ' -f1 || true)
    [[ -n $n ]] || { log "s_time printed no count for ${NAMES[i]}:"; cat "$WORK/stime-$c.out" >&2; exit 1; }
    total=$((total + n))
    user=$(awk -v u="${user:-0}" -v f="$(grep -m1 -oE 'connections in [0-9.]+s;' "$WORK/stime-$c.out" | grep -oE '[0-9.]+')" 'BEGIN { print u + f }')
  done
  if [[ $record == yes ]]; then
    awk -v r="$round" -v s="${NAMES[i]}" -v n="$total" -v t="$secs" -v cpu=$((cpu1 - cpu0)) -v hz="$CLK_TCK" -v l="$(cut -d' ' -f1 /proc/loadavg)" \
      -v user="$user" 'BEGIN { printf "%s\thandshake\t%s\thandshakes_per_s\t%.1f\n%s\thandshake\t%s\tcpu_us_per_handshake\t%.1f\n%s\thandshake\t%s\tclient_user_us_per_handshake\t%.1f\n%s\thandshake\t%s\tloadavg1\t%s\n",
               r, s, n / t, r, s, (n > 0 ? cpu / hz * 1e6 / n : 0), r, s, (n > 0 ? user * 1e6 / n : 0), r, s, l }' >> "$TSV"
    log "round $round ${NAMES[i]}: $total handshakes in ${secs}s"
  fi
}

bulk() {   # round setup-index record? mib
  local round=$1 i=$2 record=$3 t0 t1 cpu0 cpu1 bytes=$(($4 * 1048576))
  cpu0=$(cpu_ticks "${PROXY_PIDS[i]}")
  t0=$(date +%s%N)
  head -c "$bytes" /dev/zero | timeout 120 openssl s_client -connect "127.0.0.1:${SINK_PORTS[i]}" -servername bench.example \
    -quiet -no_ign_eof > /dev/null 2> "$WORK/bulk.err" || { log "bulk to ${NAMES[i]} failed:"; cat "$WORK/bulk.err" >&2; exit 1; }
  t1=$(date +%s%N)
  cpu1=$(cpu_ticks "${PROXY_PIDS[i]}")
  [[ $record == yes ]] || return 0
  awk -v r="$round" -v s="${NAMES[i]}" -v b="$bytes" -v ns=$((t1 - t0)) -v cpu=$((cpu1 - cpu0)) -v hz="$CLK_TCK" -v l="$(cut -d' ' -f1 /proc/loadavg)" \
    'BEGIN { printf "%s\tbulk\t%s\tMB_per_s\t%.1f\n%s\tbulk\t%s\tcpu_s_per_GB\t%.3f\n%s\tbulk\t%s\tloadavg1\t%s\n",
             r, s, b / (ns / 1e9) / 1e6, r, s, cpu / hz / (b / 1e9), r, s, l }' >> "$TSV"
  log "round $round ${NAMES[i]}: bulk $BULK_MIB MiB in $(( (t1 - t0) / 1000000 )) ms"
}

WARMUP_MIB=$(((BULK_MIB + 3) / 4))
log "warm-up: ${WARMUP_SECONDS}s of handshakes and $WARMUP_MIB MiB of bulk per setup"
for i in "${!NAMES[@]}"; do handshakes 0 "$i" "$WARMUP_SECONDS" no; bulk 0 "$i" no "$WARMUP_MIB"; done
N=${#NAMES[@]}
for round in $(seq 1 "$ROUNDS"); do
  for k in $(seq 0 $((N - 1))); do handshakes "$round" $(((k + round) % N)) "$HS_SECONDS" yes; done
  for k in $(seq 0 $((N - 1))); do bulk "$round" $(((k + round) % N)) yes "$BULK_MIB"; done
done

# ---------------------------------------------------------------- report
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
LOAD_RUNS=$(awk -F'\t' '$4=="loadavg1" {print $5}' "$TSV" | sort -n | awk '{a[NR]=$1} END {printf "%.2f / %.2f / %.2f", a[1], a[int((NR+1)/2)], a[NR]}')
COMMAND="ROUNDS=$ROUNDS HS_SECONDS=$HS_SECONDS HS_CLIENTS=$HS_CLIENTS BULK_MIB=$BULK_MIB KEY=$KEY IO_MODE=$IO_MODE benchmarks/compare/tls.sh"
median() {   # workload setup metric -> "median (min–max)"
  awk -F'\t' -v w="$1" -v s="$2" -v m="$3" '$2==w && $3==s && $4==m {print $5}' "$TSV" | sort -g \
    | awk '{a[NR]=$1} END { if (NR == 0) { print "-"; exit } med = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2;
                            printf "%s <sub>%s–%s</sub>\n", med, a[1], a[NR] }'
}
med() { median "$@" | cut -d' ' -f1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "-" }'; }
mkdir -p "$RESULTS_DIR"
REPORT="$RESULTS_DIR/tls-compare-$STAMP.md"
{
  echo "# Loopback TLS termination: nlb launcher (JDK, OPENSSL) vs HAProxy ($(date '+%Y-%m-%d %H:%M %Z'))"
  echo
  echo "Command: \`$COMMAND\`"
  echo
  echo "- Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), Linux $(uname -r); the load average below says how busy it was (other builds may share it)."
  echo "- Load average: $LOAD_START at start, $LOAD_END at end; 1-minute load sampled after each measurement min / median / max: $LOAD_RUNS."
  echo "- Certificate: $KEY_DESC, self-signed, made by \`openssl req\` for this run; policy \`$POLICY\` (TLS 1.2; $POLICY_CIPHERS) on every setup."
  echo "- Launcher: $(java -version 2>&1 | sed -n 1p), \`transport.threads: $PROXY_THREADS\`, \`healthChecks: false\`:"
  for note in "${NOTES[@]}"; do echo "  - $note"; done
  echo "- HAProxy: $HAPROXY_VERSION on $HAPROXY_SSL, \`mode tcp\`, \`nbthread $PROXY_THREADS\`, \`bind … ssl crt <same cert+key> ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2 ciphers <policy's list>\` (server order)."
  echo "- Negotiated (checked with \`openssl s_client\` before measuring):"
  for n in "${NEGOTIATED[@]}"; do echo "  - $n"; done
  echo "- Client ($OPENSSL_VERSION), identical for every setup: full handshakes = $HS_CLIENTS concurrent \`openssl s_time -connect … -new -time $HS_SECONDS\` (a new session per connection, no resumption: connect, full handshake, close; s_time sends no data without \`-www\`, which needs a server that closes, so there is no echo in this loop); bulk = \`head -c $BULK_MIB MiB /dev/zero | openssl s_client -quiet -no_ign_eof\` to the sink, timed from start to exit of s_client (one connection)."
  echo "- Targets: one JVM (LoadTool target), 2 echo + 2 sink ports; each proxy balances over the same ports, plaintext."
  echo "- $ROUNDS rounds after an unrecorded warm-up of each setup (${WARMUP_SECONDS} s of handshakes, $WARMUP_MIB MiB of bulk); each round runs every setup, the order rotating each round. Cells: median <sub>min–max</sub> over rounds; ratios of medians. Proxy CPU from /proc/<pid>/stat (utime+stime) over the measurement."
  echo
  echo "| metric | nlb-jdk | nlb-openssl | haproxy | nlb-jdk / haproxy | nlb-openssl / haproxy |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  for spec in "handshake handshakes_per_s full handshakes/s" "handshake cpu_us_per_handshake proxy CPU per handshake (µs)" \
              "handshake client_user_us_per_handshake client (s_time) user CPU per handshake (µs)" \
              "bulk MB_per_s bulk MB/s (10⁶ B/s, one connection)" "bulk cpu_s_per_GB proxy CPU per GB (s)"; do
    read -r w m label <<< "$spec"
    row="| $label |"
    for s in "${NAMES[@]}"; do row+=" $(median "$w" "$s" "$m") |"; done
    h=$(med "$w" haproxy "$m")
    row+=" $(ratio "$(med "$w" nlb-jdk "$m")" "$h") | $(ratio "$(med "$w" nlb-openssl "$m")" "$h") |"
    echo "$row"
  done
  echo
  hs=$(ratio "$(med handshake nlb-openssl handshakes_per_s)" "$(med handshake haproxy handshakes_per_s)")
  echo "Goal: OPENSSL provider ≥ 0.90× HAProxy's full handshakes/s — measured $hs $(awk -v r="${hs%×}" 'BEGIN { print (r >= 0.9) ? "✔" : "✘" }')."
} > "$REPORT"
cp "$TSV" "$RESULTS_DIR/tls-compare-$STAMP.tsv"
cp "$REPORT" "$OUT_DIR/TLS-RESULTS.md"
cat "$REPORT"
log "wrote $REPORT and $OUT_DIR/TLS-RESULTS.md"
