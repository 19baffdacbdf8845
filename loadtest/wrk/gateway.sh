# Sourced by the wrk scripts: starts a gateway from target/bucket.jar on a fresh data directory with a random owner
# key (stopped and deleted on exit), waits for /health, and approves one writer of AI_Assistant/metadata.
#   start_gateway PORT [serve options...]   sets DATA, OWNER_KEY, GATEWAY
#   approve_writer PORT                     prints the new integration's API key
#   wrk_scripts PORT [counting.lua]         approves a writer (KEY), stores artifact read-me, sets ARTIFACTS and writes
#                                           $DATA/post.lua (small JSON creates) and $DATA/get.lua (reads), each after
#                                           the optional counting script
# env: JAVA (default java), HEAP (default 1g), JAVA_OPTS (more JVM options, e.g. a JFR recording), GATEWAY_LOG (a path to keep the gateway's log at on exit),
# GATEWAY_CPUS (a taskset CPU list to pin the gateway to, e.g. 0; the JVM then sizes its pools for those CPUs).
start_gateway() {
  local port=$1; shift
  DATA=$(mktemp -d)
  OWNER_KEY=$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 43)
  BUCKET_OWNER_KEY=$OWNER_KEY ${GATEWAY_CPUS:+taskset -c "$GATEWAY_CPUS"} "${JAVA:-java}" -Xmx"${HEAP:-1g}" ${JAVA_OPTS:-} -jar target/bucket.jar serve --http-port "$port" \
    --data-dir "$DATA" "$@" > "$DATA/gateway.log" 2>&1 &
  GATEWAY=$!
  trap 'kill $GATEWAY ${EXTRA_PIDS:-} 2>/dev/null; wait $GATEWAY ${EXTRA_PIDS:-} 2>/dev/null || true
    [ -z "${GATEWAY_LOG:-}" ] || cp "$DATA/gateway.log" "$GATEWAY_LOG"; rm -rf "$DATA"' EXIT
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health" > /dev/null && return; sleep 0.5; done
  echo "gateway did not become healthy; its log: $DATA/gateway.log" >&2
  return 1
}

approve_writer() {
  curl -sf -X POST "http://127.0.0.1:$1/governance/gate/validate-integration" \
    -H "Authorization: Bearer $OWNER_KEY" -H 'Content-Type: application/json' \
    -d '{"integration_id":"bench","integration_type":"api","artifact_classes":["metadata"],"product_name":"AI_Assistant",
         "data_schema":{"nsfw_policy":"strict","retention_policy":"7_years","data_owner":"bench"}}' \
    | sed -n 's/.*"api_key":"\([^"]*\)".*/\1/p'
}

wrk_scripts() {
  KEY=$(approve_writer "$1")
  ARTIFACTS="http://127.0.0.1:$1/v1/products/AI_Assistant/artifacts"
  curl -sf -X POST "$ARTIFACTS" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d '{"artifact_class":"metadata","artifact_id":"read-me","data":{"x":1}}' > /dev/null
  local prelude=${2:-/dev/null}
  { cat "$prelude"; cat <<LUA
wrk.method = "POST"
wrk.body   = '{"artifact_class":"metadata","data":{"x":1}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
LUA
  } > "$DATA/post.lua"
  { cat "$prelude"; echo "wrk.headers[\"Authorization\"] = \"Bearer $KEY\""; } > "$DATA/get.lua"
}
