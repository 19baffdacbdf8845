#!/usr/bin/env bash
# The store at scale: fills a gateway with small JSON artifacts (ceilings lifted) and, at 10 thousand and at the
# target count, measures the p99 of every read-side query (wrk, limit 50), create latency, disk per artifact, RSS,
# and the time to healthy after a clean stop and after kill -9. Results go to stdout; docs/benchmarks.md records them.
#
# usage (repository root, after ./mvnw -q -DskipTests package):
#   loadtest/wrk/store-at-scale.sh [artifacts=1000000] [data dir=a new temporary one]
# env: JAVA (default java), PORT (default 18091), CONNS (fill connections, default 32), BUCKET_OWNER_KEY (default: a
# random one; the crash torture on a filled store needs the tests' owner key). Needs wrk, curl.
set -euo pipefail
N=${1:-1000000}
DATA=${2:-$(mktemp -d)}
PORT=${PORT:-18091}
CONNS=${CONNS:-32}
URL="http://127.0.0.1:$PORT"
OWNER_KEY=${BUCKET_OWNER_KEY:-$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 43)}
P=/v1/products/AI_Assistant/artifacts
GATEWAY=
trap '[ -n "$GATEWAY" ] && kill $GATEWAY 2>/dev/null; wait 2>/dev/null' EXIT

start() {
  local began=$(date +%s%N)
  BUCKET_OWNER_KEY=$OWNER_KEY "${JAVA:-java}" -Xmx1g -jar target/bucket.jar serve --http-port "$PORT" \
    --data-dir "$DATA" --set max_writes_per_second=1000000 --set max_reads_per_second=10000000 \
    --set max_concurrent_writers=10000 --set read_receipt_capacity=1000000 >> "$DATA/gateway.log" 2>&1 &
  GATEWAY=$!
  for _ in $(seq 1 1200); do
    curl -sf "$URL/health" > /dev/null && break
    kill -0 $GATEWAY 2>/dev/null || { echo "gateway exited:"; tail -5 "$DATA/gateway.log"; exit 1; }
    sleep 0.05
  done
  echo "healthy after $(( ($(date +%s%N) - began) / 1000000 )) ms ($1)"
}

entries() { curl -sf "$URL/health" | sed -n 's/.*"entries":\([0-9]*\).*/\1/p'; }
rss_mb() { echo $(( $(awk '/VmRSS/ {print $2}' /proc/$GATEWAY/status) / 1024 )); }

p99() { # name, url: wrk GET for 5 s with the owner key, prints p99 and rate
  cat > "$DATA/get.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $OWNER_KEY"
LUA
  local out
  out=$(wrk -t1 -c8 -d5s --latency -s "$DATA/get.lua" "$URL$2")
  printf '  %-22s p99 %-9s %s req/s, non-2xx %s\n' "$1" "$(echo "$out" | awk '$1=="99%" {print $2}')" \
    "$(echo "$out" | sed -n 's/Requests\/sec: *//p')" "$(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: *//p' | grep . || echo 0)"
}

measure() {
  local size head
  size=$(curl -sf "$URL/v1/log/checkpoint" | sed -n 2p)
  echo "at $(entries) log entries, $(( $(cat "$DATA/count") )) artifacts created, signed tree size $size, RSS $(rss_mb) MB:"
  p99 "read (metadata)" "$P/probe"
  p99 "version" "$P/probe/versions/1"
  p99 "evidence" "$P/probe/versions/1/evidence"
  p99 "inclusion proof" "/v1/log/proof/inclusion?index=$(cat "$DATA/probe-index")&tree_size=$size"
  p99 "listing (limit 50)" "$P?limit=50"
  p99 "audit recent" "/audit/recent?limit=50"
  p99 "audit by user" "/audit/user/$(cat "$DATA/actor")?limit=50"
  p99 "audit by artifact" "/audit/artifact/probe?limit=50"
  p99 "audit failed" "/audit/failed?limit=50"
  local out
  out=$(wrk -t1 -c8 -d5s --latency -s "$DATA/post.lua" "$URL$P")
  printf '  %-22s p99 %-9s %s req/s\n' "create" "$(echo "$out" | awk '$1=="99%" {print $2}')" \
    "$(echo "$out" | sed -n 's/Requests\/sec: *//p')"
  echo "  disk: store $(du -sb "$DATA/store" | cut -f1) bytes, payloads $(du -sb "$DATA/payloads" | cut -f1) bytes" \
    "($(du -s --apparent-size -b "$DATA/payloads" | cut -f1) apparent)"
}

fill_to() { # creates until the count file reaches $1, in 30 s wrk windows
  while [ "$(cat "$DATA/count")" -lt "$1" ]; do
    local out created
    out=$(wrk -t2 -c"$CONNS" -d30s -s "$DATA/post.lua" "$URL$P")
    created=$(echo "$out" | awk '/requests in/ {print $1}')
    echo $(( $(cat "$DATA/count") + created - $(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: *//p' | grep . || echo 0) )) > "$DATA/count"
    echo "  filled $(cat "$DATA/count") ($(echo "$out" | sed -n 's/Requests\/sec: *//p') creates/s)"
  done
}

mkdir -p "$DATA"
echo "data in $DATA"
start "first start"
KEY=$(curl -sf -X POST "$URL/governance/gate/validate-integration" \
  -H "Authorization: Bearer $OWNER_KEY" -H 'Content-Type: application/json' \
  -d '{"integration_id":"scale","integration_type":"api","artifact_classes":["metadata"],"product_name":"AI_Assistant",
       "data_schema":{"nsfw_policy":"strict","retention_policy":"7_years","data_owner":"bench"}}' \
  | sed -n 's/.*"api_key":"\([^"]*\)".*/\1/p')
PROBE=$(curl -sf -X POST "$URL$P" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d '{"artifact_class":"metadata","artifact_id":"probe","data":{"probe":true}}')
echo "$PROBE" | sed -n 's/.*"audit_index":\([0-9]*\).*/\1/p' > "$DATA/probe-index"
echo "$PROBE" | sed -n 's/.*"created_by":"\([^"]*\)".*/\1/p' > "$DATA/actor"
echo 1 > "$DATA/count"
# Every body differs (payloads are content-addressed: equal bodies would share one payload file).
cat > "$DATA/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tag", tostring(os.time()) .. "-" .. threads)
end
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"artifact_class":"metadata","data":{"text":"a small JSON artifact of about a'
    .. ' hundred bytes","t":"' .. tag .. '","n":' .. n .. '}}')
end
LUA
fill_to 10000
measure
fill_to "$N"
measure
kill -TERM $GATEWAY; wait $GATEWAY || true
start "SIGTERM"
kill -KILL $GATEWAY; wait $GATEWAY 2>/dev/null || true
start "kill -9"
echo "RSS after restart: $(rss_mb) MB"
