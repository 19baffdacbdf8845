#!/usr/bin/env bash
# Durable creates against a fresh gateway, in consecutive 10 s wrk windows, with the JIT's cumulative compile time
# after each window: the write path needs about a minute of load before the JIT stops competing for the cores.
#
# usage (repository root, after ./mvnw -q -DskipTests package):
#   loadtest/wrk/sustained-writes.sh [windows=9] [connections=32]
# env: JAVA (default java), PORT (default 18090). Needs wrk, curl and jstat (JDK).
set -euo pipefail
WINDOWS=${1:-9}
CONNS=${2:-32}
PORT=${PORT:-18090}
. "$(dirname "$0")/gateway.sh"
start_gateway "$PORT"
wrk_scripts "$PORT"

for window in $(seq 1 "$WINDOWS"); do
  out=$(wrk -t2 -c"$CONNS" -d10s -s "$DATA/post.lua" "http://127.0.0.1:$PORT/v1/products/AI_Assistant/artifacts")
  rate=$(echo "$out" | sed -n 's/Requests\/sec: *//p')
  errors=$(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: *//p')
  jit=$(jstat -compiler "$GATEWAY" | tail -1 | awk '{print $4}')
  echo "window $window: ${rate} creates/s, non-2xx ${errors:-0}, JIT compile time so far ${jit} s"
done
