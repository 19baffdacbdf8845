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
DATA=$(mktemp -d)
OWNER_KEY=$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 43)
BUCKET_OWNER_KEY=$OWNER_KEY "${JAVA:-java}" -Xmx1g -jar target/bucket.jar serve --http-port "$PORT" \
  --data-dir "$DATA" > "$DATA/gateway.log" 2>&1 &
GATEWAY=$!
trap 'kill $GATEWAY 2>/dev/null; wait $GATEWAY 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break; sleep 0.5; done

KEY=$(curl -sf -X POST "http://127.0.0.1:$PORT/governance/gate/validate-integration" \
  -H "Authorization: Bearer $OWNER_KEY" -H 'Content-Type: application/json' \
  -d '{"integration_id":"bench","integration_type":"api","artifact_classes":["metadata"],"product_name":"AI_Assistant",
       "data_schema":{"nsfw_policy":"strict","retention_policy":"7_years","data_owner":"bench"}}' \
  | sed -n 's/.*"api_key":"\([^"]*\)".*/\1/p')
cat > "$DATA/post.lua" <<LUA
wrk.method = "POST"
wrk.body   = '{"artifact_class":"metadata","data":{"x":1}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
LUA

for window in $(seq 1 "$WINDOWS"); do
  out=$(wrk -t2 -c"$CONNS" -d10s -s "$DATA/post.lua" "http://127.0.0.1:$PORT/v1/products/AI_Assistant/artifacts")
  rate=$(echo "$out" | sed -n 's/Requests\/sec: *//p')
  errors=$(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: *//p')
  jit=$(jstat -compiler "$GATEWAY" | tail -1 | awk '{print $4}')
  echo "window $window: ${rate} creates/s, non-2xx ${errors:-0}, JIT compile time so far ${jit} s"
done
