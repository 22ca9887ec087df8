#!/bin/bash
# Resident and heap memory per idle WebSocket (docs/benchmarks.md, section 1).
#
#   scripts/socket-memory.sh LABEL "JVM OPTIONS" ["-D overrides"]
#
# Starts the server (the compiled classes, `java` directly, so Maven's own JVM is not counted) on
# port 8099 with a fresh H2 database under target/socket-memory/LABEL, opens CONNS idle sockets
# (default 10,000: users x 2 windows) with the ../shared/perf load generator, and prints one JSON
# line: live heap per socket (after a full GC, from /internal/metrics?gc=true), resident memory
# (VmRSS) per socket while they are held and after the GC, and the committed heap. A
# `jmap -histo:live` of the server holding the sockets is left in histo.txt beside it, and one from
# before the sockets in histo-before.txt (scripts/histo-per-socket.sh turns the two into bytes per socket).
# Needs: `mvn compile` done, and PERF pointing at a copy of ../shared/perf with `npm ci` run in it.
# JAR=/abs/path/target/edf-server.jar (from `mvn -Pdist -DskipTests package`) runs the one-jar build
# instead: the JVM then holds one open file for its classes, not one per dependency (about 113),
# which is what lets 19,900 sockets fit under an open-file limit of 20,000 (CONNS=19900).
set -euo pipefail
LABEL=$1; OPTS=$2; EXTRA=${3:-}
CONNS=${CONNS:-10000}; PORT=${PORT:-8099}; PERF=${PERF:-/tmp/perf}
KEY=socket-memory-ingest-key-0123456789abcdef
ROOT=$(cd "$(dirname "$0")/.." && pwd)
D="$ROOT/target/socket-memory/$LABEL"; rm -rf "$D"; mkdir -p "$D"
(cd "$ROOT" && mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$D/classpath.txt" >/dev/null)
CP="$ROOT/target/classes:$(cat "$D/classpath.txt")"
cd "$D"
# shellcheck disable=SC2086
if [ -n "${JAR:-}" ]; then LAUNCH=(-jar "$JAR"); else LAUNCH=(-cp "$CP" edf.Main); fi
EDF_PORT=$PORT EDF_INGEST_KEY=$KEY java $OPTS $EXTRA "${LAUNCH[@]}" >server.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do grep -qs "Server online" server.log && break; sleep 0.5; done
rss() { awk '/VmRSS/{print $2}' "/proc/$PID/status"; }
metrics() { curl -sf "http://127.0.0.1:$PORT/internal/metrics?gc=true" -H "Authorization: Bearer $KEY"; }
metrics >m0.json; R0=$(rss)
jmap -histo:live "$PID" >histo-before.txt 2>/dev/null || true
timeout 600 node "$PERF/loadgen.mjs" conns --target project --base "http://127.0.0.1:$PORT" --count "$CONNS" \
  --windows 2 --ramp-rate 1000 --hold 25 --ready-file "$D/ready" --ingest-key "$KEY" >loadgen.json 2>loadgen.log &
LG=$!
for _ in $(seq 1 1000); do [ -s "$D/ready" ] && break; sleep 0.5; done
sleep 5; R1=$(rss)
metrics >m1.json; R2=$(rss)
jmap -histo:live "$PID" >histo.txt 2>/dev/null || true
wait $LG || true
node -e '
const fs = require("fs"), [, d, r0, r1, r2, label] = process.argv;
const m0 = JSON.parse(fs.readFileSync(d + "/m0.json")), m1 = JSON.parse(fs.readFileSync(d + "/m1.json"));
const open = JSON.parse(fs.readFileSync(d + "/ready")).open;
console.log(JSON.stringify({ label, open, heapPerSocketB: Math.round((m1.heapUsedBytes - m0.heapUsedBytes) / open),
  rssPerSocketKB: +((r1 - r0) / open).toFixed(1), rssPerSocketAfterGcKB: +((r2 - r0) / open).toFixed(1),
  rssBeforeMB: Math.round(r0 / 1024), rssHeldMB: Math.round(r1 / 1024), heapCommittedMB: Math.round(m1.heapCommittedBytes / 1048576) }));
' "$D" "$R0" "$R1" "$R2" "$LABEL"
