#!/usr/bin/env bash
# Measures one socket edge (EDGE=pekko|netty) side by side with the Node baselines (`ws`, Socket.IO)
# in one run of the perf harness (../shared/perf, copied to $PERF with node_modules).
#
#   EDGE=pekko MODES=conns CONNS=10000 spikes/socket-edge/measure.sh
#   EDGE=netty MODES=fanout USERS=1000 RATE=2000 DURATION=15 spikes/socket-edge/measure.sh
#
# 1. builds the spike (under /tmp/edf-mvn.lock, offline);
# 2. for a run that measures CPU or latency (MODES with fanout), re-runs itself holding both
#    /tmp/edf-bench.lock and /tmp/edf-mvn.lock, so no build or other benchmark runs meanwhile;
# 3. starts the edge with the product's JVM options (.mvn/jvm.config) by plain `java -cp`;
# 4. fanout: warms the edge's JIT for EDGE_WARMUP s with the harness's loadgen (not recorded);
#    the Node servers need none, and a JVM that has served for a while is the steady state;
# 5. conns: reads the edge's live heap after a full GC (jcmd GC.class_histogram, which collects
#    first) before the ramp and while the sockets are held (the harness writes a ready file then);
# 6. runs $PERF/run-compare.sh with PROJECT_URL/PROJECT_PID/PROJECT_INGEST_KEY set to the edge
#    (PROFILE=1: with JFR's sampling profiler on the edge, summarised in edge-profile.txt).
#
# Other settings pass through to run-compare.sh (USERS, WINDOWS, RATE, DURATION, CONNS, HOLD, ...).
# TARGETS defaults to "ws socketio project". Results: $OUT (default spikes/socket-edge/results/<edge>-<time>).
# Loopback only; every wait is bounded; it kills only the processes it started.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
EDGE=${EDGE:?EDGE=pekko or EDGE=netty}
case $EDGE in
  pekko) MAIN=edge.PekkoEdge ;;
  netty) MAIN=edge.NettyEdge ;;
  *) echo "EDGE must be pekko or netty" >&2; exit 2 ;;
esac
PERF=${PERF:-/tmp/perf}
MODES=${MODES:-conns}
export MODES
export TARGETS=${TARGETS:-"ws socketio project"}
export HOLD=${HOLD:-20}
EDGE_WARMUP=${EDGE_WARMUP:-10}
JVM_OPTS=${JVM_OPTS:-"-XX:+UseG1GC -Xms64m -Xmx2g -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30"}
export OUT=${OUT:-$HERE/results/$EDGE-$(date -u +%Y%m%d-%H%M%S)}
say() { echo "[measure] $*" >&2; }

if [[ -z "${MEASURE_LOCKED:-}" ]]; then
  # build when the classes are missing or older than a source (the mvn lock can be held for minutes)
  STAMP=$HERE/target/classes/edge/Contract.class
  if [[ -z "${SKIP_BUILD:-}" && ( ! -f "$STAMP" || ! -d "$HERE/target/lib" || -n "$(find "$HERE/src" "$HERE/pom.xml" -newer "$STAMP" -print -quit)" ) ]]; then
    say "building the spike"
    (cd "$HERE" && timeout 600 flock /tmp/edf-mvn.lock mvn -B -q -o process-classes)
  fi
  if [[ " $MODES " == *" fanout "* ]]; then
    say "fanout measures CPU and latency: waiting for /tmp/edf-bench.lock and /tmp/edf-mvn.lock"
    exec env MEASURE_LOCKED=1 flock /tmp/edf-bench.lock flock /tmp/edf-mvn.lock bash "$0"
  fi
fi

mkdir -p "$OUT"
STARTED=()
cleanup() {
  local p
  for p in "${STARTED[@]:-}"; do
    [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null && kill "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
PORT=${EDGE_PORT:-$((18700 + RANDOM % 200))}
KEY=edge-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
# shellcheck disable=SC2086
PORT=$PORT INGEST_KEY=$KEY java $JVM_OPTS -cp "$HERE/target/classes:$HERE/target/lib/*" "$MAIN" >"$OUT/edge.log" 2>&1 &
EDGE_PID=$!
STARTED+=("$EDGE_PID")
BASE=http://127.0.0.1:$PORT
for _ in $(seq 1 150); do
  curl -fsS "$BASE/health" >/dev/null 2>&1 && break
  kill -0 "$EDGE_PID" 2>/dev/null || { say "the edge did not start:"; cat "$OUT/edge.log" >&2; exit 1; }
  sleep 0.2
done
say "$(head -1 "$OUT/edge.log") ($JVM_OPTS)"
echo "{\"edge\":\"$EDGE\",\"jvmOptions\":\"$JVM_OPTS\",\"java\":\"$(java -version 2>&1 | head -1 | tr -d '"')\",\"commit\":\"$(git -C "$HERE" rev-parse --short HEAD)\",\"edgeWarmupSec\":$EDGE_WARMUP}" >"$OUT/edge-env.json"

rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
live_bytes() {  # $1 file: jcmd GC.class_histogram (a full GC, then the live objects); prints the total bytes
  timeout 120 jcmd "$EDGE_PID" GC.class_histogram >"$1"
  awk '/^Total/{print $3}' "$1"
}

if [[ " $MODES " == *" fanout "* ]] && (( EDGE_WARMUP > 0 )); then
  say "warming the edge up for ${EDGE_WARMUP}s (not recorded)"
  (cd "$PERF" && timeout $((EDGE_WARMUP + 120)) node loadgen.mjs fanout --target project --base "$BASE" --users 500 --windows 2 \
    --rate 2000 --duration "$EDGE_WARMUP" --warmup 0 --drain 2 --ingest-key "$KEY" --chaos-off \
    >"$OUT/edge-warmup.json" 2>"$OUT/edge-warmup.log") || say "warm-up exited with $? (see $OUT/edge-warmup.log)"
  sleep 2
fi

HEAP_WATCH=""
if [[ " $MODES " == *" conns "* && " $TARGETS " == *" project "* ]]; then
  LIVE0=$(live_bytes "$OUT/histo-before.txt")
  RSS0=$(rss_kb "$EDGE_PID")
  say "edge before the sockets: live heap $LIVE0 B, RSS $RSS0 kB (after a full GC)"
  (
    ready="$OUT/project-conns.ready"
    # run-compare's conns mode for the project writes this file once its sockets are open
    for _ in $(seq 1 3600); do [[ -s "$ready" ]] && break; sleep 0.5; done
    [[ -s "$ready" ]] || exit 0
    sleep 2
    rss_held=$(rss_kb "$EDGE_PID")
    live1=$(live_bytes "$OUT/histo-held.txt")
    rss_gc=$(rss_kb "$EDGE_PID")
    timeout 60 jcmd "$EDGE_PID" GC.heap_info >"$OUT/heap-info-held.txt" 2>&1 || true
    open=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).open)' "$ready")
    node -e '
      const [edge, open, l0, l1, r0, rh, rg] = process.argv.slice(1);
      const o = Number(open), per = (a, b) => Math.round((Number(b) - Number(a)) / o);
      console.log(JSON.stringify({ edge, open: o, liveBytesBefore: Number(l0), liveBytesHeld: Number(l1),
        liveBytesPerSocket: per(l0, l1), rssKBBefore: Number(r0), rssKBHeld: Number(rh), rssKBHeldAfterGc: Number(rg),
        rssBytesPerSocket: per(Number(r0) * 1024, Number(rh) * 1024),
        rssBytesPerSocketAfterGc: per(Number(r0) * 1024, Number(rg) * 1024) }));' \
      "$EDGE" "$open" "$LIVE0" "$live1" "$RSS0" "$rss_held" "$rss_gc" >"$OUT/edge-heap.json"
    echo "[measure] $(cat "$OUT/edge-heap.json")" >&2
  ) &
  HEAP_WATCH=$!
  STARTED+=("$HEAP_WATCH")
fi

if [[ -n "${PROFILE:-}" ]]; then  # JFR's sampling profiler on the edge for the whole compare run
  timeout 60 jcmd "$EDGE_PID" JFR.start name=edge settings=profile filename="$OUT/edge.jfr" >/dev/null
fi
say "run-compare: MODES=$MODES TARGETS=$TARGETS into $OUT"
PROJECT_URL=$BASE PROJECT_PID=$EDGE_PID PROJECT_INGEST_KEY=$KEY bash "$PERF/run-compare.sh" || say "run-compare exited with $?"
if [[ -n "${PROFILE:-}" ]]; then
  timeout 120 jcmd "$EDGE_PID" JFR.stop name=edge >/dev/null
  # where the edge's running threads were sampled: by thread, by leaf method, and by frames anywhere on the stack
  timeout 300 jfr print --events jdk.ExecutionSample --stack-depth 64 "$OUT/edge.jfr" | awk '
    /sampledThread = "/ { n++; split($0, a, "\""); t[a[2]]++ ; leaf = 1; delete seen; next }
    /line:/ { f = $1; if (leaf) { l[f]++; leaf = 0 } if (!(f in seen)) { seen[f] = 1; any[f]++ } }
    END {
      print "samples: " n
      print "\n# by thread"; for (k in t) printf "%6d %5.1f%% %s\n", t[k], 100 * t[k] / n, k | "sort -rn | head -15"; close("sort -rn | head -15")
      print "\n# by leaf frame"; for (k in l) printf "%6d %5.1f%% %s\n", l[k], 100 * l[k] / n, k | "sort -rn | head -30"; close("sort -rn | head -30")
      print "\n# by frame anywhere on the stack (inclusive)"; for (k in any) printf "%6d %5.1f%% %s\n", any[k], 100 * any[k] / n, k | "sort -rn | head -60"; close("sort -rn | head -60")
    }' >"$OUT/edge-profile.txt" || say "jfr summary failed"
fi
if [[ -n "$HEAP_WATCH" ]]; then
  [[ -s "$OUT/project-conns.ready" ]] || kill "$HEAP_WATCH" 2>/dev/null || true
  wait "$HEAP_WATCH" 2>/dev/null || true
fi
[[ -s "$OUT/edge-heap.json" ]] && cat "$OUT/edge-heap.json"
say "results in $OUT"
