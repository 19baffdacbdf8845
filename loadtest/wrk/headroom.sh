#!/usr/bin/env bash
# Gateway CPU per request with the ceilings lifted, next to a bare Vert.x route in the same run: durable JSON creates
# and cached reads of one version's metadata, each measured over a wrk window after a warm-up, with
# cpu-per-request.sh (gateway CPU from /proc/<pid>/stat divided by the requests answered).
#
# usage (repository root, after ./mvnw -q -DskipTests package):
#   loadtest/wrk/headroom.sh [seconds per window=20] [warm-up seconds=60] [connections=32]
# env: JAVA (default java), PORT (default 18090), BARE_PORT (default 18091), HEAP (default 1g). Needs wrk and curl.
# Traffic goes to 127.0.0.1 only; every wrk run is bounded by its duration.
set -euo pipefail
SECS=${1:-20}
WARM=${2:-60}
CONNS=${3:-32}
PORT=${PORT:-18090}
BARE_PORT=${BARE_PORT:-18091}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/gateway.sh"
"${JAVA:-java}" -Xmx256m -cp target/bucket.jar "$HERE/BareRoute.java" "$BARE_PORT" > /dev/null 2>&1 &
BARE=$!
EXTRA_PIDS=$BARE
start_gateway "$PORT" --set max_writes_per_second=1000000 --set max_reads_per_second=10000000 \
  --set max_concurrent_writers=100000
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$BARE_PORT/bare" > /dev/null && break; sleep 0.5; done
wrk_scripts "$PORT"

echo "warm-up: ${WARM} s of creates and reads"
wrk -t1 -c"$CONNS" -d$((WARM * 2 / 3))s -s "$DATA/post.lua" "$ARTIFACTS" > /dev/null
wrk -t1 -c"$CONNS" -d$((WARM / 3))s -s "$DATA/get.lua" "$ARTIFACTS/read-me/versions/1" > /dev/null
wrk -t1 -c"$CONNS" -d5s "http://127.0.0.1:$BARE_PORT/bare" > /dev/null

"$HERE/cpu-per-request.sh" "durable creates" "$GATEWAY" "$ARTIFACTS" "$SECS" -t1 -c"$CONNS" -s "$DATA/post.lua"
"$HERE/cpu-per-request.sh" "cached reads" "$GATEWAY" "$ARTIFACTS/read-me/versions/1" "$SECS" -t1 -c"$CONNS" \
  -s "$DATA/get.lua"
"$HERE/cpu-per-request.sh" "bare Vert.x route" "$BARE" "http://127.0.0.1:$BARE_PORT/bare" "$SECS" -t1 -c"$CONNS"
