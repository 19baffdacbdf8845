#!/usr/bin/env bash
# A real Prometheus scrapes a real gateway and fires docs/prometheus/alerts.yml's write-ceiling alert.
#
# Starts `java -jar target/bucket.jar` on a free port with a temporary data directory and a write ceiling of 20/s,
# and Debian's prometheus (apt-get install prometheus) scraping it every second with an auditor key and the rules of
# docs/prometheus/alerts.yml. Then writes about 17 artifacts a second (85 % of the ceiling) and waits until
# Prometheus reports BucketScaleLimit{limit="max_writes_per_second"} firing. Everything listens on and talks to
# 127.0.0.1 only; the run ends by itself within TIMEOUT seconds (default 120) and removes what it made.
#
# Usage, from the repository root after ./mvnw -q -DskipTests package:  loadtest/prometheus/alert-fires.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

TIMEOUT=${TIMEOUT:-120}
CEILING=20
RATE=17
JAR=target/bucket.jar
[[ -f $JAR ]] || { echo "alert-fires: $JAR is missing; build it with ./mvnw -q -DskipTests package" >&2; exit 2; }
command -v prometheus >/dev/null || { echo "alert-fires: prometheus is not installed (apt-get install prometheus)" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() {
  # The load first, then Prometheus, then the gateway.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
deadline=$((SECONDS + TIMEOUT))

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # url, what
  until curl -fs -o /dev/null "$1"; do
    ((SECONDS < deadline)) || { echo "alert-fires: $2 did not come up" >&2; exit 1; }
    sleep 0.5
  done
}

gateway_port=$(free_port)
prometheus_port=$(free_port)
owner=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
gateway=http://127.0.0.1:$gateway_port

# write_burst: a ceiling this low leaves fair shares no room with the default burst of 1 (README, write_burst).
BUCKET_OWNER_KEY=$owner java -jar "$JAR" --data-dir "$work/data" --http-port "$gateway_port" \
  --set max_writes_per_second=$CEILING --set write_burst=5 >"$work/gateway.log" 2>&1 &
pids+=($!)
wait_for "$gateway/health" "the gateway"

auth=(-H "Authorization: Bearer $owner" -H 'Content-Type: application/json')
curl -fsS "${auth[@]}" -d '{"role":"auditor","name":"prometheus"}' "$gateway/governance/keys" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"], end="")' >"$work/auditor.key"
writer=$(curl -fsS "${auth[@]}" "$gateway/governance/gate/validate-integration" -d '{"integration_id":"alert_fires",
  "integration_type":"api","artifact_classes":["metadata"],"product_name":"AI_Assistant",
  "data_schema":{"nsfw_policy":"strict","retention_policy":"7_years","data_owner":"alert-fires"}}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')

# The example configuration of docs/prometheus, pointed at this gateway, scraping and evaluating every second.
cp docs/prometheus/alerts.yml "$work/"
sed -e "s/scrape_interval: .*/scrape_interval: 1s/" -e "s/evaluation_interval: .*/evaluation_interval: 1s/" \
  -e "s#credentials_file: .*#credentials_file: $work/auditor.key#" -e "s/127.0.0.1:8080/127.0.0.1:$gateway_port/" \
  docs/prometheus/prometheus.yml >"$work/prometheus.yml"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prometheus_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$prometheus_port/-/ready" "Prometheus"

# The load: RATE writes a second (curl paces serial transfers itself) until the deadline, each a new artifact
# (no artifact_id: the gateway names each one). The URL's ?n= only makes each transfer a URL of its own.
requests=$((RATE * TIMEOUT))
curl -sS --rate "$RATE/s" -X POST -H "Authorization: Bearer $writer" -H 'Content-Type: application/json' \
  -d '{"artifact_class":"metadata","data":{"from":"alert-fires"}}' \
  "$gateway/v1/products/AI_Assistant/artifacts?n=[1-$requests]" >/dev/null &
pids+=($!)

echo "alert-fires: writing $RATE/s against a ceiling of $CEILING/s; waiting for Prometheus to fire the alert"
query='ALERTS{alertname="BucketScaleLimit",limit="max_writes_per_second",alertstate="firing"}'
while ((SECONDS < deadline)); do
  firing=$(curl -fsS -G "http://127.0.0.1:$prometheus_port/api/v1/query" --data-urlencode "query=$query" \
    | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(" ".join(
        x["metric"]["threshold_percent"] + "%/" + x["metric"]["severity"] for x in r))')
  if [[ -n $firing ]]; then
    echo "alert-fires: PASS: BucketScaleLimit{limit=max_writes_per_second} firing ($firing) after $SECONDS s"
    exit 0
  fi
  sleep 1
done
echo "alert-fires: FAIL: no BucketScaleLimit alert for max_writes_per_second within $TIMEOUT s" >&2
curl -fsS -G "http://127.0.0.1:$prometheus_port/api/v1/query" --data-urlencode \
  'query=bucket_limit_utilisation_percent{limit="max_writes_per_second"}' >&2 || true
echo; tail -5 "$work/prometheus.log" >&2
tail -20 "$work/gateway.log" >&2
exit 1
