#!/usr/bin/env bash
# Loopback comparison: the nlb launcher as the distribution starts it (bin/nlb, its default JVM
# flags, AUTO I/O mode) vs HAProxy (mode tcp) vs nginx (stream module, TCP and UDP) vs a direct
# connection, measured in the same run, interleaved. See benchmarks/compare/README.md.
#
#   benchmarks/compare/run.sh                 # 3 rounds, about 10 minutes on 2 cores
#   SMOKE=1 benchmarks/compare/run.sh         # 1 round of 1 s cells: proves the script works, measures nothing
#   WORKLOADS="tls idle" benchmarks/compare/run.sh   # only some workloads (tcp, udp, tls, idle); report in benchmarks/results
#
# Needs root only to install haproxy and nginx (apt-get) when they are missing. Everything binds 127.0.0.1 on
# ports the kernel reports free; every process started here is stopped by PID on exit.
set -euo pipefail

if [[ ${SMOKE:-0} == 1 ]]; then
  : "${ROUNDS:=1}" "${CONN_SECONDS:=1}" "${LATENCY_SECONDS:=1}" "${BULK_MIB:=64}" "${WARMUP_SECONDS:=1}"
  : "${IDLE_CONNS:=500}" "${IDLE_HOLD_SECONDS:=1}" "${UDP_SECONDS:=1}" "${TLS_SECONDS:=1}" "${SMALL_HEAP_FLAGS:=}"
fi
ROUNDS=${ROUNDS:-3}
# Which workloads run: tcp (new connections, ping-pong, bulk), udp, tls, idle (resident memory). A run
# of only some writes its report to benchmarks/results only, as a smoke run does.
WORKLOADS=${WORKLOADS:-tcp udp tls idle}
for w in $WORKLOADS; do
  case $w in tcp|udp|tls|idle) ;; *) echo "WORKLOADS: $w (expected: some of tcp udp tls idle)" >&2; exit 2 ;; esac
done
wants() { [[ " $WORKLOADS " == *" $1 "* ]]; }
PARTIAL=0
for w in tcp udp tls idle; do wants "$w" || PARTIAL=1; done
CONN_SECONDS=${CONN_SECONDS:-10}        # new-connections workload, per setup per round
CONN_THREADS=${CONN_THREADS:-4}         # concurrent client loops (connect, 64 B echo, close)
LATENCY_SECONDS=${LATENCY_SECONDS:-5}   # ping-pong recorded time, per setup per round
BULK_MIB=${BULK_MIB:-2048}              # bytes streamed to the sink, per setup per round
BULK_STREAMS=${BULK_STREAMS:-1}
WARMUP_SECONDS=${WARMUP_SECONDS:-3}
IDLE_CONNS=${IDLE_CONNS:-5000}
IDLE_HOLD_SECONDS=${IDLE_HOLD_SECONDS:-5}
PROXY_THREADS=${PROXY_THREADS:-2}       # launcher transport threads = haproxy nbthread = nginx workers
UDP_SECONDS=${UDP_SECONDS:-10}          # UDP echo ping-pong, per setup per round
UDP_CLIENTS=${UDP_CLIENTS:-4}           # client sockets (flows), each waiting for its echo
TLS_SECONDS=${TLS_SECONDS:-10}          # openssl s_time per setup per round, full and resumed each
TLS_CLIENTS=${TLS_CLIENTS:-2}           # concurrent s_time processes
TLS_POLICY=${TLS_POLICY:-ELBSecurityPolicy-TLS13-1-2-2021-06}   # the launcher's; HAProxy and nginx: TLS 1.2 + 1.3
TLS13_AES128_FIRST=TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384   # browsers' order
# Launcher variants, each "name:ioMode:natives[:zeroCopy[:jar]]" — natives=dist runs `bin/nlb run FILE` of the
# distribution (nlb-launcher-<version>.tar.gz) with nothing set: its JVM flags, its class-data archive (made
# by one start and stop before measuring, as a user's first run makes it); natives=jar runs
# `java -jar nlb-launcher.jar` with no flags; natives=cp adds Netty's epoll
# and io_uring jars (the optional dependencies of nlb-transport-netty) to the class path. zeroCopy (true or
# false) sets transport.zeroCopy (splice on EPOLL); empty or omitted, the transport's default applies. An
# optional fifth field names another launcher jar, to compare two builds in one run:
# "base-nio:NIO:cp::/tmp/base/nlb-launcher.jar".
LAUNCHERS=${LAUNCHERS:-nlb-dist:AUTO:dist}
IDLE_LAUNCHER=${IDLE_LAUNCHER:-nlb-dist}   # the variant whose RSS is also measured with SMALL_HEAP_FLAGS
LAUNCHER_JVM_FLAGS=${LAUNCHER_JVM_FLAGS:-}                  # main comparison: JVM defaults
# Extra idle-RSS runs of IDLE_LAUNCHER with fixed heaps, ';'-separated. With only -Xmx256m the serial
# collector's young generation is a third of the initial heap (256 MiB), all of it touched before the
# first collection; the -Xmn16m run shows how much of the RSS that is.
SMALL_HEAP_FLAGS=${SMALL_HEAP_FLAGS--Xmx256m -XX:+UseSerialGC;-Xmx256m -Xmn16m -XX:+UseSerialGC}
CLIENT_JVM_FLAGS=${CLIENT_JVM_FLAGS:--Xms256m -Xmx512m}
TARGET_JVM_FLAGS=${TARGET_JVM_FLAGS:--Xms64m -Xmx256m}

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT_DIR="$ROOT/benchmarks/compare"
RESULTS_DIR="$ROOT/benchmarks/results"
VERSION=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$ROOT/pom.xml")
LAUNCHER_JAR="$ROOT/nlb-launcher/target/nlb-launcher-$VERSION-exec.jar"
DIST_TGZ="$ROOT/nlb-launcher/target/nlb-launcher-$VERSION.tar.gz"
TOOL_JAR="$ROOT/benchmarks/target/benchmarks.jar"
STAMP=$(date +%Y%m%d-%H%M%S)
WORK=$(mktemp -d "/tmp/nlb-compare.$STAMP.XXXXXX")
TSV="$WORK/results.tsv"
PIDS=()

# log, stop_pid, cleanup (trapped on EXIT: stops every pid in PIDS), wait_for_line
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

tool() { java $CLIENT_JVM_FLAGS -cp "$TOOL_JAR" io.nlb.benchmarks.load.LoadTool "$@"; }

# ---------------------------------------------------------------- prerequisites
if ! command -v haproxy >/dev/null || ! command -v nginx >/dev/null || [[ ! -e /usr/lib/nginx/modules/ngx_stream_module.so && ! -e /usr/share/nginx/modules/ngx_stream_module.so ]]; then
  log "installing haproxy and nginx (with its stream module)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy nginx-light libnginx-mod-stream >/dev/null \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy nginx libnginx-mod-stream >/dev/null
fi
if [[ ! -f "$LAUNCHER_JAR" || ! -f "$TOOL_JAR" || ! -f "$DIST_TGZ" ]] \
    || [[ -n "$(find "$ROOT/benchmarks/src" "$ROOT/nlb-launcher/src" -newer "$TOOL_JAR" -name '*.java' -print -quit)" ]]; then
  log "building the launcher and benchmark jars"
  (cd "$ROOT" && mvn -q -DskipTests -pl nlb-launcher,benchmarks -am package)
fi
HAPROXY_VERSION=$(haproxy -v | sed -n 1p)
NGINX_VERSION=$(nginx -v 2>&1)
NGINX_STREAM=$(ls /usr/lib/nginx/modules/ngx_stream_module.so /usr/share/nginx/modules/ngx_stream_module.so 2>/dev/null | head -1 || true)
mkdir -p "$WORK/dist" && tar -xzf "$DIST_TGZ" -C "$WORK/dist"
DIST_HOME=$(echo "$WORK"/dist/nlb-launcher-*)
# Netty's native transports for the cp variants (nlb-transport-netty declares them optional).
NATIVE_CP=""
if [[ " $LAUNCHERS" == *:cp* ]]; then
  NATIVE_CP=$(cd "$ROOT" && mvn -q -o dependency:build-classpath -pl nlb-transport-netty -Dmdep.outputFile=/dev/stdout 2>/dev/null \
    | tr ':' '\n' | grep -E 'netty-transport-(native|classes)-(epoll|io_uring)|native-unix-common' | paste -sd: || true)
  if [[ -z $NATIVE_CP ]]; then
    NATIVE_CP=$(cd "$ROOT" && mvn -q dependency:build-classpath -pl nlb-transport-netty -Dmdep.outputFile=/dev/stdout \
      | tr ':' '\n' | grep -E 'netty-transport-(native|classes)-(epoll|io_uring)|native-unix-common' | paste -sd:)
  fi
fi

ulimit -n "$(ulimit -Hn)"
FD_LIMIT=$(ulimit -n)
NEED_FDS=$((2 * IDLE_CONNS + 1000))
if ((FD_LIMIT < NEED_FDS)); then
  log "ulimit -n is $FD_LIMIT; $NEED_FDS needed for $IDLE_CONNS idle connections through a proxy"; exit 1
fi
read -r PORT_LO PORT_HI < /proc/sys/net/ipv4/ip_local_port_range
if (((PORT_HI - PORT_LO) < 2 * IDLE_CONNS)); then
  log "ephemeral port range $PORT_LO-$PORT_HI is too small for $IDLE_CONNS idle connections"; exit 1
fi
TW_REUSE=$(cat /proc/sys/net/ipv4/tcp_tw_reuse)
# haproxy needs two sockets per connection; keep its maxconn inside the descriptor limit.
HAPROXY_MAXCONN=$(((FD_LIMIT - 500) / 2))
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "fd limit $FD_LIMIT, ephemeral ports $PORT_LO-$PORT_HI, tcp_tw_reuse=$TW_REUSE, load average $LOAD_START, work dir $WORK"

mapfile -t PORTS < <(tool free-ports 60)
E1=${PORTS[0]} E2=${PORTS[1]} S1=${PORTS[2]} S2=${PORTS[3]}

# ---------------------------------------------------------------- targets
java $TARGET_JVM_FLAGS -cp "$TOOL_JAR" io.nlb.benchmarks.load.LoadTool target \
  --echo "$E1,$E2" --sink "$S1,$S2" --threads 2 > "$WORK/target.log" 2>&1 &
TARGET_PID=$!; PIDS+=("$TARGET_PID")
wait_for_line "$WORK/target.log" "target ready" "$TARGET_PID" 30
U1=${PORTS[58]} U2=${PORTS[59]}
for up in "$U1" "$U2"; do
  # java itself in the background, not the tool function: the PID stopped on exit must be the JVM's
  # (a backgrounded function is a subshell whose java child outlived the script).
  java $CLIENT_JVM_FLAGS -cp "$TOOL_JAR" io.nlb.benchmarks.load.LoadTool udp-echo --port "$up" > "$WORK/udp-echo-$up.log" 2>&1 &
  PIDS+=("$!"); wait_for_line "$WORK/udp-echo-$up.log" "udp echo ready" "$!" 30
done

# ---------------------------------------------------------------- proxies
launcher_yaml() {   # echo-port sink-port io-mode [udp-port]
  local udp_listener=""
  [[ -z ${4:-} ]] || udp_listener="      - {protocol: UDP, port: $4, targetGroup: udp}"
  cat <<YAML
transport: {ioMode: $3, threads: $PROXY_THREADS${ZERO_COPY:+, zeroCopy: $ZERO_COPY}}
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
  - name: udp
    protocol: UDP
    port: $U1
    targetType: ip
    targets: [{id: 127.0.0.1, port: $U1}, {id: 127.0.0.1, port: $U2}]
loadBalancers:
  - name: bench
    zones:
      - {name: zone-a, addresses: [127.0.0.1], targetRanges: [127.0.0.0/8]}
    listeners:
      - {protocol: TCP, port: $1, targetGroup: echo}
      - {protocol: TCP, port: $2, targetGroup: sink}
$udp_listener
YAML
}

nginx_cfg() {   # name echo-port sink-port [udp-port]
  local name=$1 udp_server=""; shift
  [[ -z ${3:-} ]] || udp_server="  server { listen 127.0.0.1:$3 udp reuseport; proxy_pass udp; proxy_timeout 120s; }"
  cat <<CFG
load_module $NGINX_STREAM;
daemon off;
worker_processes $PROXY_THREADS;
worker_rlimit_nofile $FD_LIMIT;
pid $WORK/$name.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections $HAPROXY_MAXCONN; }
stream {
  upstream echo { server 127.0.0.1:$E1; server 127.0.0.1:$E2; }
  upstream sink { server 127.0.0.1:$S1; server 127.0.0.1:$S2; }
  upstream udp { server 127.0.0.1:$U1; server 127.0.0.1:$U2; }
  proxy_half_close on;   # the sink answers after the client's FIN (HAProxy and nlb relay half-close too)
  server { listen 127.0.0.1:$1 reuseport; proxy_pass echo; proxy_timeout 10m; }
  server { listen 127.0.0.1:$2 reuseport; proxy_pass sink; proxy_timeout 10m; }
$udp_server
}
CFG
}

start_nginx() {   # name echo-port sink-port [udp-port]; sets STARTED_PID
  local name=$1
  nginx_cfg "$name" "$2" "$3" "${4:-}" > "$WORK/$name.conf"
  nginx -t -q -e "$WORK/$name.log" -c "$WORK/$name.conf" -p "$WORK" 2>>"$WORK/$name.log" || { cat "$WORK/$name.log" >&2; exit 1; }
  nginx -e "$WORK/$name.log" -c "$WORK/$name.conf" -p "$WORK" >> "$WORK/$name.log" 2>&1 &
  STARTED_PID=$!; PIDS+=("$STARTED_PID")
  local deadline=$((SECONDS + 20))
  until (exec 3<>"/dev/tcp/127.0.0.1/$3") 2>/dev/null; do
    kill -0 "$STARTED_PID" 2>/dev/null || { cat "$WORK/$name.log" >&2; exit 1; }
    ((SECONDS < deadline)) || { log "nginx did not start"; exit 1; }
    sleep 0.2
  done
}

haproxy_cfg() {   # echo-port sink-port
  cat <<CFG
global
  nbthread $PROXY_THREADS
  maxconn $HAPROXY_MAXCONN
defaults
  mode tcp
  timeout connect 5s
  timeout client 10m
  timeout server 10m
frontend echo
  bind 127.0.0.1:$1
  default_backend echo
backend echo
  balance roundrobin
  server e1 127.0.0.1:$E1
  server e2 127.0.0.1:$E2
frontend sink
  bind 127.0.0.1:$2
  default_backend sink
backend sink
  balance roundrobin
  server s1 127.0.0.1:$S1
  server s2 127.0.0.1:$S2
CFG
}

start_launcher() {   # name echo-port sink-port io-mode jar|cp|dist launcher-jar jvm-flags...; sets STARTED_PID
  local name=$1 ep=$2 sp=$3 mode=$4 natives=$5 jar=${6:-$LAUNCHER_JAR}; shift 6
  launcher_yaml "$ep" "$sp" "$mode" "${UDP_PORT:-}" > "$WORK/$name.yaml"
  run_launcher "$name" "$sp" "$mode" "$natives" "$jar" "$@"
}

run_launcher() {   # name port-to-wait-for io-mode jar|cp|dist launcher-jar jvm-flags...: runs $WORK/name.yaml; sets STARTED_PID
  local name=$1 sp=$2 mode=$3 natives=$4 jar=${5:-$LAUNCHER_JAR}; shift 5
  # GC log only (for diagnosis afterwards: it lands in the work directory).
  set -- "$@" "-Xlog:gc:file=$WORK/$name-gc.log"
  # The launcher watches its file's directory for changes: give it one of its own, as in /etc/nlb,
  # not the work directory, where every s_time and log write would wake its watcher.
  mkdir -p "$WORK/conf-$name"
  cp "$WORK/$name.yaml" "$WORK/conf-$name/nlb.yaml"
  # Flags of one variant alone, LAUNCHER_OPTS_<its name with '_' for '-'>: after all others (for a dist
  # variant in NLB_JAVA_OPTS, after bin/nlb's defaults), so they win; to A/B JVM flags in one run.
  local variant=${name#tls-}; variant=${variant#idle-[0-9]*-}
  local opts_var="LAUNCHER_OPTS_${variant//[^A-Za-z0-9_]/_}"
  local own=${!opts_var:-}
  if [[ $natives == dist ]]; then
    # Flags given to a dist variant (the idle runs' SMALL_HEAP_FLAGS) replace bin/nlb's defaults.
    local extra=("${@:1:$#-1}")
    if ((${#extra[@]})); then
      NLB_JVM_DEFAULTS="${extra[*]}" NLB_JAVA_OPTS="$own" "$DIST_HOME/bin/nlb" run "$WORK/conf-$name/nlb.yaml" > "$WORK/$name.log" 2>&1 &
    else
      NLB_JAVA_OPTS="$own" "$DIST_HOME/bin/nlb" run "$WORK/conf-$name/nlb.yaml" > "$WORK/$name.log" 2>&1 &
    fi
  elif [[ $natives == jar ]]; then
    # shellcheck disable=SC2086
    java "$@" $own -jar "$jar" "$WORK/conf-$name/nlb.yaml" > "$WORK/$name.log" 2>&1 &
  else
    # shellcheck disable=SC2086
    java "$@" $own -cp "$jar:$NATIVE_CP" io.nlb.launcher.Launcher "$WORK/conf-$name/nlb.yaml" > "$WORK/$name.log" 2>&1 &
  fi
  STARTED_PID=$!; PIDS+=("$STARTED_PID")
  local shown_jar=nlb-launcher.jar
  [[ $jar == "$LAUNCHER_JAR" ]] || shown_jar=$jar
  local how="-jar $shown_jar"
  [[ $natives == jar ]] || how="-cp $shown_jar:<netty epoll + io_uring jars> io.nlb.launcher.Launcher"
  local shown=("${@:1:$#-1}")   # without the GC log option
  if [[ $natives == dist ]]; then
    echo "${shown[*]:+NLB_JVM_DEFAULTS=\"${shown[*]}\" }${own:+NLB_JAVA_OPTS=\"$own\" }bin/nlb run nlb.yaml # transport.ioMode: $mode" > "$WORK/$name.cmd"
  else
    echo "java${shown[*]:+ ${shown[*]}}${own:+ $own} $how # transport.ioMode: $mode${ZERO_COPY:+, zeroCopy: $ZERO_COPY}" > "$WORK/$name.cmd"
  fi
  wait_for_line "$WORK/$name.log" "listening on .*127.0.0.1:$sp\b" "$STARTED_PID" 60
}

start_haproxy() {   # name echo-port sink-port; sets STARTED_PID
  local name=$1
  haproxy_cfg "$2" "$3" > "$WORK/$name.cfg"
  haproxy -c -q -f "$WORK/$name.cfg"
  haproxy -db -f "$WORK/$name.cfg" > "$WORK/$name.log" 2>&1 &
  STARTED_PID=$!; PIDS+=("$STARTED_PID")
  local deadline=$((SECONDS + 20))
  until (exec 3<>"/dev/tcp/127.0.0.1/$3") 2>/dev/null; do
    kill -0 "$STARTED_PID" 2>/dev/null || { cat "$WORK/$name.log" >&2; exit 1; }
    ((SECONDS < deadline)) || { log "haproxy did not start"; exit 1; }
    sleep 0.2
  done
}

NEXT_PORT=4
next_port() { NEXT_PORT=$((NEXT_PORT + 1)); PORT=${PORTS[$((NEXT_PORT - 1))]}; }
NAMES=() ECHO_ADDRS=() SINK_ADDRS=() PROXY_PIDS=() LAUNCHER_NOTES=() UDP_NAMES=() UDP_ADDRS=() UDP_PIDS=()
if [[ $LAUNCHERS == *:dist* ]]; then
  # The user's first run makes the class-data archive (lib/cds) when it stops; measure from the second.
  next_port; ep=$PORT; next_port; sp=$PORT
  start_launcher prime "$ep" "$sp" AUTO dist "$LAUNCHER_JAR"; stop_pid "$STARTED_PID"
  log "class-data archive: $(ls "$DIST_HOME"/lib/cds 2>/dev/null || echo none)"
fi
csv() { local IFS=,; echo "$*"; }
declare -A NOTED=()
note_launcher() {   # variant-name started-name: the report's line on how the variant runs, once per variant
  [[ -z ${NOTED[$1]:-} ]] || return 0
  NOTED[$1]=1
  local logged
  logged=$(grep -o 'I/O mode [A-Z_]* ([A-Z_]*)' "$WORK/$2.log" | head -1 || true)
  LAUNCHER_NOTES+=("\`$1\`: \`$(cat "$WORK/$2.cmd")\`${logged:+ — logs \"$logged\"}")
}
if wants tcp || wants udp; then
  for spec in $LAUNCHERS; do
    IFS=: read -r name mode natives ZERO_COPY jar <<< "$spec"
    next_port; ep=$PORT; next_port; sp=$PORT; next_port; UDP_PORT=$PORT
    # shellcheck disable=SC2086
    start_launcher "$name" "$ep" "$sp" "$mode" "$natives" "${jar:-$LAUNCHER_JAR}" $LAUNCHER_JVM_FLAGS
    note_launcher "$name" "$name"
    NAMES+=("$name") ECHO_ADDRS+=("127.0.0.1:$ep") SINK_ADDRS+=("127.0.0.1:$sp") PROXY_PIDS+=("$STARTED_PID")
    UDP_NAMES+=("$name") UDP_ADDRS+=("127.0.0.1:$UDP_PORT") UDP_PIDS+=("$STARTED_PID")
  done
  UDP_PORT=""
  next_port; H1=$PORT; next_port; H2=$PORT
  start_haproxy haproxy "$H1" "$H2"; HAPROXY_PID=$STARTED_PID
  next_port; N1=$PORT; next_port; N2=$PORT; next_port; NU=$PORT
  start_nginx nginx "$N1" "$N2" "$NU"; NGINX_PID=$STARTED_PID
  NAMES+=(haproxy nginx direct) ECHO_ADDRS+=("127.0.0.1:$H1" "127.0.0.1:$N1" "127.0.0.1:$E1")
  SINK_ADDRS+=("127.0.0.1:$H2" "127.0.0.1:$N2" "127.0.0.1:$S1")
  PROXY_PIDS+=("$HAPROXY_PID" "$NGINX_PID" 0)
  UDP_NAMES+=(nginx direct) UDP_ADDRS+=("127.0.0.1:$NU" "127.0.0.1:$U1") UDP_PIDS+=("$NGINX_PID" 0)
  log "started ${NAMES[*]}; pids ${PROXY_PIDS[*]}; target pid $TARGET_PID"
fi

# ---------------------------------------------------------------- throughput and latency, interleaved
touch "$TSV" "$WORK/udp.tsv" "$WORK/tls.tsv"   # every workload appends; a partial run leaves some empty
if wants tcp; then
  tool bench --names "$(csv "${NAMES[@]}")" --echo "$(csv "${ECHO_ADDRS[@]}")" --sink "$(csv "${SINK_ADDRS[@]}")" \
    --pids "$(csv "${PROXY_PIDS[@]}")" \
    --rounds "$ROUNDS" --conn-threads "$CONN_THREADS" --conn-seconds "$CONN_SECONDS" \
    --latency-seconds "$LATENCY_SECONDS" --bulk-mib "$BULK_MIB" --bulk-streams "$BULK_STREAMS" \
    --warmup-seconds "$WARMUP_SECONDS" --out "$TSV"
fi

# ---------------------------------------------------------------- UDP echo (HAProxy has no UDP), interleaved
if wants udp; then
  for ((r = 1; r <= ROUNDS; r++)); do
    for i in "${!UDP_NAMES[@]}"; do
      j=$(((i + r) % ${#UDP_NAMES[@]}))
      tool udp --name "${UDP_NAMES[j]}" --to "${UDP_ADDRS[j]}" --pid "${UDP_PIDS[j]}" --clients "$UDP_CLIENTS" \
        --seconds "$UDP_SECONDS" --round "$r" --out "$WORK/udp.tsv" > /dev/null
    done
  done
fi

# ---------------------------------------------------------------- TLS: full and resumed handshakes, fresh processes
# Every setup terminates TLS with the same RSA 2048 certificate, made now, and forwards to the echo
# targets; the clients are `openssl s_time` (-new: a full handshake per connection; -reuse: one full
# handshake, then every connection offers its session). HAProxy and nginx keep their default
# session caches and tickets (nginx: a shared cache, as its documentation recommends).
TLS_NAMES=()
if wants tls; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/crt.pem" -days 2 \
    -subj /CN=bench.example -addext subjectAltName=DNS:bench.example 2>/dev/null
  cat "$WORK/crt.pem" "$WORK/key.pem" > "$WORK/haproxy.pem"
  cpu_ticks_all() {   # utime + stime of a process and its direct children, in clock ticks
    local p t=0
    for p in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
      t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$t"
  }
  tls_launcher_yaml() {   # port io-mode; the same keys in the launcher before the rework (a291d5f) and after
    cat <<YAML
transport: {ioMode: $2, threads: $PROXY_THREADS}
healthChecks: false
targetGroups:
  - {name: echo, protocol: TCP, port: $E1, targetType: ip, targets: [{id: 127.0.0.1, port: $E1}, {id: 127.0.0.1, port: $E2}]}
loadBalancers:
  - name: bench
    zones: [{name: zone-a, addresses: [127.0.0.1], targetRanges: [127.0.0.0/8]}]
    listeners:
      - protocol: TLS
        port: $1
        targetGroup: echo
        sslPolicy: $TLS_POLICY
        certificate: {certificateChain: $WORK/crt.pem, privateKey: $WORK/key.pem}
YAML
  }
  TLS_NAMES=() TLS_PORTS=() TLS_PIDS=()
  for spec in $LAUNCHERS; do   # every launcher variant, started as in the TCP rows (dist, jar or cp)
    IFS=: read -r name mode natives ZERO_COPY jar <<< "$spec"
    ZERO_COPY=""   # no splice under TLS: the transport copies the decrypted bytes
    next_port; tp=$PORT
    tls_launcher_yaml "$tp" "$mode" > "$WORK/tls-$name.yaml"
    # shellcheck disable=SC2086
    run_launcher "tls-$name" "$tp" "$mode" "$natives" "${jar:-$LAUNCHER_JAR}" $LAUNCHER_JVM_FLAGS
    note_launcher "$name" "tls-$name"
    TLS_NAMES+=("$name") TLS_PORTS+=("$tp") TLS_PIDS+=("$STARTED_PID")
  done
  next_port; tp=$PORT
  cat > "$WORK/tls-haproxy.cfg" <<CFG
global
  nbthread $PROXY_THREADS
  maxconn $HAPROXY_MAXCONN
defaults
  mode tcp
  timeout connect 5s
  timeout client 1m
  timeout server 1m
frontend echo
  bind 127.0.0.1:$tp ssl crt $WORK/haproxy.pem
  default_backend echo
backend echo
  balance roundrobin
  server e1 127.0.0.1:$E1
  server e2 127.0.0.1:$E2
CFG
  haproxy -db -f "$WORK/tls-haproxy.cfg" > "$WORK/tls-haproxy.log" 2>&1 &
  STARTED_PID=$!; PIDS+=("$STARTED_PID"); TLS_NAMES+=(haproxy) TLS_PORTS+=("$tp") TLS_PIDS+=("$STARTED_PID")
  next_port; tp=$PORT
  cat > "$WORK/tls-nginx.conf" <<CFG
load_module $NGINX_STREAM;
daemon off;
worker_processes $PROXY_THREADS;
pid $WORK/tls-nginx.pid;
error_log $WORK/tls-nginx.log warn;
events { worker_connections 4096; }
stream {
  upstream echo { server 127.0.0.1:$E1; server 127.0.0.1:$E2; }
  server {
    listen 127.0.0.1:$tp ssl reuseport;
    ssl_certificate $WORK/crt.pem;
    ssl_certificate_key $WORK/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:TLS:10m;
    proxy_pass echo;
  }
}
CFG
  nginx -e "$WORK/tls-nginx.log" -c "$WORK/tls-nginx.conf" -p "$WORK" >> "$WORK/tls-nginx.log" 2>&1 &
  STARTED_PID=$!; PIDS+=("$STARTED_PID"); TLS_NAMES+=(nginx) TLS_PORTS+=("$tp") TLS_PIDS+=("$STARTED_PID")
  for i in "${!TLS_NAMES[@]}"; do
    deadline=$((SECONDS + 30))
    until (exec 3<>"/dev/tcp/127.0.0.1/${TLS_PORTS[i]}") 2>/dev/null; do
      ((SECONDS < deadline)) || { log "${TLS_NAMES[i]} (TLS) did not start"; exit 1; }
      sleep 0.2
    done
  done
  stime() {   # round setup-index workload s_time-options...
    local round=$1 i=$2 w=$3 c n total=0 reused=0 cpu0 cpu1 pids=(); shift 3
    printf '%s\t%s\t%s\tloadavg1\t%s\n' "$round" "$w" "${TLS_NAMES[i]}" "$(cut -d' ' -f1 /proc/loadavg)" >> "$WORK/tls.tsv"
    cpu0=$(cpu_ticks_all "${TLS_PIDS[i]}")
    for c in $(seq 1 "$TLS_CLIENTS"); do
      openssl s_time -connect "127.0.0.1:${TLS_PORTS[i]}" "$@" -time "$TLS_SECONDS" > "$WORK/stime-$c.out" 2>&1 &
      pids+=($!)
    done
    for c in "${pids[@]}"; do wait "$c" || true; done
    cpu1=$(cpu_ticks_all "${TLS_PIDS[i]}")
    for c in $(seq 1 "$TLS_CLIENTS"); do
      n=$(grep -m1 -oE '^[0-9]+ connections in [0-9.]+s' "$WORK/stime-$c.out" | cut -d' ' -f1 || true)
      [[ -n $n ]] || { log "s_time printed no count for ${TLS_NAMES[i]}:"; cat "$WORK/stime-$c.out" >&2; exit 1; }
      total=$((total + n))
      # s_time prints one character per connection on lines of their own: r when the session was resumed.
      reused=$((reused + $(grep -E '^[*rt3]+$' "$WORK/stime-$c.out" | tr -cd 'r' | wc -c)))
    done
    awk -v r="$round" -v s="${TLS_NAMES[i]}" -v w="$w" -v n="$total" -v t="$TLS_SECONDS" -v cpu=$((cpu1 - cpu0)) -v rr="$reused" \
      'BEGIN { printf "%s\t%s\t%s\tper_s\t%.1f\n%s\t%s\t%s\tproxy_us_per_handshake\t%.1f\n%s\t%s\t%s\tresumed_pct\t%.1f\n",
               r, w, s, n / t, r, w, s, (n > 0 ? cpu / 100 * 1e6 / n : 0), r, w, s, (n > 0 ? 100 * rr / n : 0) }' >> "$WORK/tls.tsv"
  }
  for i in "${!TLS_NAMES[@]}"; do   # unrecorded warm-up, as for the TCP workloads: every kind of handshake once
    for opts in "-new" "-new -ciphersuites $TLS13_AES128_FIRST" "-reuse -tls1_2"; do
      # shellcheck disable=SC2086
      openssl s_time -connect "127.0.0.1:${TLS_PORTS[i]}" $opts -time "$WARMUP_SECONDS" > /dev/null 2>&1 || true
    done
  done
  for ((r = 1; r <= ROUNDS; r++)); do
    for k in "${!TLS_NAMES[@]}"; do
      j=$(((k + r) % ${#TLS_NAMES[@]}))
      stime "$r" "$j" tls_new -new
      # The same with the TLS 1.3 suite order browsers send (AES-128-GCM first): the policy's first
      # choice, so under AUTO BoringSSL takes these handshakes; OpenSSL's own order goes to the JDK.
      stime "$r" "$j" tls_new_aes128 -new -ciphersuites "$TLS13_AES128_FIRST"
      # OpenSSL 3.0's s_time takes the session right after the handshake, before a TLS 1.3 server's
      # ticket arrives, so -reuse resumes nothing under TLS 1.3 with any server; TLS 1.2 shows resumption.
      stime "$r" "$j" tls_reuse13 -reuse
      stime "$r" "$j" tls_reuse12 -reuse -tls1_2
    done
  done
  for i in "${!TLS_NAMES[@]}"; do stop_pid "${TLS_PIDS[i]}"; done
fi

rss_line() {   # VmRSS and VmHWM of a process and its direct children (nginx's workers), summed
  local p rss=0 hwm=0
  for p in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    rss=$((rss + $(awk '/VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
    hwm=$((hwm + $(awk '/VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
  done
  echo "VmHWM: $((hwm / 1024)) MiB  VmRSS: $((rss / 1024)) MiB  "
}
AFTER_LOAD=""
for i in "${!NAMES[@]}"; do
  if ((PROXY_PIDS[i] > 0)); then AFTER_LOAD+="${NAMES[i]}: $(rss_line "${PROXY_PIDS[i]}")· "; stop_pid "${PROXY_PIDS[i]}"; fi
done
log "after the load phase: $AFTER_LOAD"

# ---------------------------------------------------------------- idle connections and resident memory, fresh processes
idle_run() {   # display-name pid listen-port is-jvm
  sleep 2   # let a freshly started JVM finish start-up work before the baseline
  tool idle --name "$1" --to "127.0.0.1:$3" --pid "$2" --count "$IDLE_CONNS" \
    --hold-seconds "$IDLE_HOLD_SECONDS" --jvm "$4" --out "$TSV"
}
IDLE_NAMES=()
idle_launcher() {   # spec display-name jvm-flags...
  local spec=$1 display=$2 name mode natives jar ep sp; shift 2
  IFS=: read -r name mode natives ZERO_COPY jar <<< "$spec"
  next_port; ep=$PORT; next_port; sp=$PORT
  IDLE_SEQ=$((${IDLE_SEQ:-0} + 1))
  start_launcher "idle-$IDLE_SEQ-$name" "$ep" "$sp" "$mode" "$natives" "${jar:-$LAUNCHER_JAR}" "$@"
  note_launcher "$name" "idle-$IDLE_SEQ-$name"
  idle_run "$display" "$STARTED_PID" "$ep" true; stop_pid "$STARTED_PID"
  IDLE_NAMES+=("$display")
}
if wants idle; then
  for spec in $LAUNCHERS; do
    case ${spec%%:*} in
      "$IDLE_LAUNCHER")
        # shellcheck disable=SC2086
        idle_launcher "$spec" "${spec%%:*} (JVM defaults)" $LAUNCHER_JVM_FLAGS
        IFS=';' read -r -a small <<< "$SMALL_HEAP_FLAGS"
        for flags in "${small[@]}"; do
          # shellcheck disable=SC2086
          idle_launcher "$spec" "${spec%%:*} ($flags)" $flags
        done ;;
      nlb-jar|nlb-dist)
        # shellcheck disable=SC2086
        idle_launcher "$spec" "${spec%%:*} (JVM defaults)" $LAUNCHER_JVM_FLAGS ;;
    esac
  done
  next_port; ep=$PORT; next_port; sp=$PORT
  start_haproxy idle-haproxy "$ep" "$sp"
  idle_run "haproxy" "$STARTED_PID" "$ep" false; stop_pid "$STARTED_PID"
  IDLE_NAMES+=(haproxy)
  next_port; ep=$PORT; next_port; sp=$PORT
  start_nginx idle-nginx "$ep" "$sp"
  idle_run "nginx" "$STARTED_PID" "$ep" false; stop_pid "$STARTED_PID"
  IDLE_NAMES+=(nginx)
fi

# ---------------------------------------------------------------- report
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
LOAD_RUNS=$(cat "$TSV" "$WORK/tls.tsv" 2>/dev/null | awk -F'\t' '$4=="loadavg1" {print $5}' | sort -n | awk '{a[NR]=$1} END {printf "%.2f / %.2f / %.2f", a[1], a[int((NR+1)/2)], a[NR]}')
DEFAULT_JVM=$(java $LAUNCHER_JVM_FLAGS -XX:+PrintFlagsFinal -version 2>/dev/null \
  | awk '$2=="UseG1GC"&&$4=="true"{gc="G1"} $2=="UseSerialGC"&&$4=="true"{gc="Serial"} $2=="UseParallelGC"&&$4=="true"{gc="Parallel"} $2=="MaxHeapSize"{h=$4/1048576} END {printf "%s GC, max heap %d MiB", gc, h}')
COMMAND=""
[[ $PARTIAL == 0 ]] || COMMAND="WORKLOADS=\"$WORKLOADS\" "
for v in $(compgen -v LAUNCHER_OPTS_ || true); do COMMAND+="$v=\"${!v}\" "; done
COMMAND+="LAUNCHERS=\"$LAUNCHERS\" ROUNDS=$ROUNDS CONN_SECONDS=$CONN_SECONDS CONN_THREADS=$CONN_THREADS LATENCY_SECONDS=$LATENCY_SECONDS BULK_MIB=$BULK_MIB BULK_STREAMS=$BULK_STREAMS IDLE_CONNS=$IDLE_CONNS benchmarks/compare/run.sh"
mkdir -p "$RESULTS_DIR"
REPORT="$RESULTS_DIR/compare-$STAMP.md"
CHART="$OUT_DIR/chart.svg"
[[ ${SMOKE:-0} != 1 && $PARTIAL == 0 ]] || CHART="$RESULTS_DIR/compare-$STAMP.svg"
{
  echo "# Loopback comparison: nlb launcher vs HAProxy vs nginx vs direct ($(date '+%Y-%m-%d %H:%M %Z'))"
  echo
  echo "Command: \`$COMMAND\`"
  echo
  echo "- Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), Linux $(uname -r), $(free -g | awk '/Mem:/ {print $2}') GiB RAM; the load average below says how busy it was (other builds may share it)."
  echo "- Load average: $LOAD_START at start, $LOAD_END at end; 1-minute load sampled before each measurement min / median / max: $LOAD_RUNS."
  [[ " $LAUNCHERS" != *:dist* ]] || echo "- Distribution variants run \`bin/nlb\` with nothing set: its JVM flags \`$(sed -n 's/^DEFAULTS="\(.*\)"$/\1/p' "$DIST_HOME/bin/nlb")\` and its class-data archive (made by one start and stop first)."
  echo "- Launcher (jar and cp variants): JVM flags \`${LAUNCHER_JVM_FLAGS:-(none)}\` → $DEFAULT_JVM; $(java -version 2>&1 | sed -n 1p); \`transport.threads: $PROXY_THREADS\`, \`healthChecks: false\`. Variants:"
  for note in "${LAUNCHER_NOTES[@]}"; do echo "  - $note"; done
  echo "- HAProxy: $HAPROXY_VERSION, \`mode tcp\`, \`balance roundrobin\`, \`nbthread $PROXY_THREADS\`, \`maxconn $HAPROXY_MAXCONN\`."
  echo "- nginx: $NGINX_VERSION, \`stream\` module, round robin, \`worker_processes $PROXY_THREADS\`, \`reuseport\`; its CPU and memory are the master's and the workers' together."
  echo "- UDP: $UDP_CLIENTS client sockets × ${UDP_SECONDS} s, each sending 64 B and waiting for the echo (200 ms counts as lost); two UDP echo targets; HAProxy has no UDP."
  echo "- Targets: one JVM ($TARGET_JVM_FLAGS), NIO, 2 selector threads serving 2 echo + 2 sink ports; each proxy balances over 2 of each; direct uses one echo and one sink port."
  echo "- Client: one JVM ($CLIENT_JVM_FLAGS), blocking JDK sockets, TCP_NODELAY. New connections: $CONN_THREADS loops × ${CONN_SECONDS} s (connect, 64 B, 64 B echo back, close). Ping-pong: one connection, 64 B, 0.5 s warm-up + ${LATENCY_SECONDS} s recorded. Bulk: ${BULK_MIB} MiB over $BULK_STREAMS connection(s) to the sink, timed until the sink's byte count returns. ${WARMUP_SECONDS} s unrecorded warm-up of every workload and setup first."
  echo "- $ROUNDS rounds; each round runs every workload against every setup, the order rotating each round; cells are the median with the range over rounds in small print. Ratios are of medians."
  echo "- Idle: fresh processes, $IDLE_CONNS connections opened one by one (each proven by a 1-byte echo), held ${IDLE_HOLD_SECONDS} s, then VmRSS read from /proc/<pid>/status; for the JVMs the live heap is then read with \`jcmd <pid> GC.class_histogram\` (a full GC) before opening and while holding."
  echo "- fd limit $FD_LIMIT, ephemeral ports $PORT_LO-$PORT_HI, net.ipv4.tcp_tw_reuse=$TW_REUSE."
  [[ -z $AFTER_LOAD ]] || echo "- Resident memory of the long-running proxies after the load phase: $AFTER_LOAD"
  echo "- How to read this (p99 on a loaded 2-core box, TIME_WAIT carried across setups) and profiling hints: README.md in benchmarks/compare."
  echo
  ! { wants tcp || wants idle; } || tool report --in "$TSV" --names "$(csv "${NAMES[@]}")" --idle-names "$(csv "${IDLE_NAMES[@]}")" --svg "$CHART" \
    --caption "$(date +%F): loopback, $(nproc) cores, 1-min load average min/median/max $LOAD_RUNS; median of $ROUNDS interleaved rounds; details in RESULTS.md"
  if wants udp; then
  echo
  echo "UDP echo (medians of $ROUNDS rounds; the ratio is to nginx):"
  echo
  echo "| setup | packets/s | proxy CPU per packet | lost | packets/s ÷ nginx | CPU ÷ nginx |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  for name in "${UDP_NAMES[@]}"; do
    awk -F'\t' -v s="$name" '
      function med(t, m,   n, k, i, j, x, a) {
        n = 0; for (k in t) { split(k, x, SUBSEP); if (x[1] == m) a[++n] = t[k] + 0 }
        for (i = 2; i <= n; i++) { x[0] = a[i] + 0; for (j = i - 1; j >= 1 && a[j] > x[0]; j--) a[j + 1] = a[j]; a[j + 1] = x[0] }
        return n ? a[int((n + 1) / 2)] : -1
      }
      $3 == s { v[$4, $1] = $5 } $3 == "nginx" { w[$4, $1] = $5 }
      END {
        pps = med(v, "pps"); cpu = med(v, "proxy_us_per_packet"); lost = med(v, "lost")
        npps = med(w, "pps"); ncpu = med(w, "proxy_us_per_packet")
        printf "| %s | %d | %s | %d | %s | %s |\n", s, pps, (cpu < 0 ? "—" : sprintf("%.1f µs", cpu)), lost,
          (npps > 0 ? sprintf("%.2f", pps / npps) : "—"), (ncpu > 0 && cpu >= 0 ? sprintf("%.2f", cpu / ncpu) : "—")
      }' "$WORK/udp.tsv"
  done
  fi
  if wants tls; then
  echo
  echo "TLS termination, RSA 2048, \`openssl s_time\` × $TLS_CLIENTS for ${TLS_SECONDS} s each ($(openssl version | cut -d' ' -f1-2); nlb: \`sslPolicy: $TLS_POLICY\`, its default provider; medians of $ROUNDS rounds after ${WARMUP_SECONDS} s of each kind unrecorded; ratios to HAProxy; \`AES-128-first\`: \`-ciphersuites $TLS13_AES128_FIRST\`, the order browsers send):"
  echo
  echo "| setup | full handshakes/s | proxy CPU per full handshake | full CPU, AES-128-first client | -reuse TLS 1.2 handshakes/s | resumed, TLS 1.2 | resumed, TLS 1.3 | proxy CPU per -reuse TLS 1.2 handshake | full CPU ÷ HAProxy | AES-128-first CPU ÷ HAProxy | -reuse CPU ÷ nginx |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for name in "${TLS_NAMES[@]}"; do
    awk -F'\t' -v s="$name" '
      function med(t, m,   n, k, i, j, x, a) {
        n = 0; for (k in t) { split(k, x, SUBSEP); if (x[1] == m) a[++n] = t[k] + 0 }
        for (i = 2; i <= n; i++) { x[0] = a[i] + 0; for (j = i - 1; j >= 1 && a[j] > x[0]; j--) a[j + 1] = a[j]; a[j + 1] = x[0] }
        return n ? a[int((n + 1) / 2)] : -1
      }
      $3 == s { v[$2 "/" $4, $1] = $5 } $3 == "haproxy" { h[$2 "/" $4, $1] = $5 } $3 == "nginx" { g[$2 "/" $4, $1] = $5 }
      END {
        fcpu = med(v, "tls_new/proxy_us_per_handshake"); rcpu = med(v, "tls_reuse12/proxy_us_per_handshake")
        acpu = med(v, "tls_new_aes128/proxy_us_per_handshake"); hacpu = med(h, "tls_new_aes128/proxy_us_per_handshake")
        hcpu = med(h, "tls_new/proxy_us_per_handshake"); ncpu = med(g, "tls_reuse12/proxy_us_per_handshake")
        printf "| %s | %.0f | %.0f µs | %.0f µs | %.0f | %.0f %% | %.0f %% | %.0f µs | %s | %s | %s |\n", s, med(v, "tls_new/per_s"), fcpu,
          acpu, med(v, "tls_reuse12/per_s"), med(v, "tls_reuse12/resumed_pct"), med(v, "tls_reuse13/resumed_pct"), rcpu,
          (hcpu > 0 ? sprintf("%.2f", fcpu / hcpu) : "—"), (hacpu > 0 && acpu > 0 ? sprintf("%.2f", acpu / hacpu) : "—"),
          (ncpu > 0 ? sprintf("%.2f", rcpu / ncpu) : "—")
      }' "$WORK/tls.tsv"
  done
  fi
} > "$REPORT"
cat "$WORK/udp.tsv" "$WORK/tls.tsv" >> "$TSV"
cp "$TSV" "$RESULTS_DIR/compare-$STAMP.tsv"
cat "$REPORT"
if [[ ${SMOKE:-0} == 1 || $PARTIAL == 1 ]]; then
  why="smoke run"; [[ $PARTIAL == 0 ]] || why="WORKLOADS=\"$WORKLOADS\""
  log "$why: wrote $REPORT only (RESULTS.md, results.tsv and chart.svg keep the last full run)"
else
  cp "$REPORT" "$OUT_DIR/RESULTS.md"
  cp "$TSV" "$OUT_DIR/results.tsv"
  log "wrote $REPORT, $OUT_DIR/RESULTS.md, $OUT_DIR/chart.svg"
fi
