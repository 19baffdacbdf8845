#!/usr/bin/env bash
# A Gatling simulation with the gateway pinned to one core and Gatling to the other (taskset), so each side's cost is
# measured on its own core instead of both competing for two. Prints, every 5 s and for the whole run, the busy
# share of each core and the gateway's CPU, then the simulation's own summary (the [loadtest] lines).
#
# usage (repository root, after ./mvnw -q -DskipTests package):
#   loadtest/pinned/run.sh Simulation [-Dproperty=value ...]     e.g. loadtest/pinned/run.sh BothCeilings -Dwarmup=45
# env: GATEWAY_CPU (default 0), GATLING_CPU (default 1), PORT (default 18093), HEAP, JAVA, GATEWAY_LOG
# (loadtest/wrk/gateway.sh). Needs taskset, curl. Traffic goes to 127.0.0.1 only; the simulation bounds the run.
set -euo pipefail
SIM=$1; shift
PORT=${PORT:-18093}
GATEWAY_CPU=${GATEWAY_CPU:-0}
GATLING_CPU=${GATLING_CPU:-1}
. "$(dirname "$0")/../wrk/gateway.sh"
GATEWAY_CPUS=$GATEWAY_CPU start_gateway "$PORT"

busy() { awk -v c="cpu$1" '$1 == c {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
gw() { awk '{print $14 + $15}' /proc/$GATEWAY/stat; }
HZ=$(getconf CLK_TCK)
sample() {
  local g0 c0 l0 t0 g1 c1 l1
  g0=$(gw); c0=$(busy "$GATEWAY_CPU"); l0=$(busy "$GATLING_CPU")
  while sleep 5; do
    g1=$(gw) || return; c1=$(busy "$GATEWAY_CPU"); l1=$(busy "$GATLING_CPU")
    printf '[pinned] last 5 s: gateway %3d %% of a core (core %s busy %3d %%), core %s (Gatling) busy %3d %%\n' \
      $(( (g1 - g0) * 100 / HZ / 5 )) "$GATEWAY_CPU" $(( (c1 - c0) * 100 / HZ / 5 )) "$GATLING_CPU" \
      $(( (l1 - l0) * 100 / HZ / 5 ))
    g0=$g1; c0=$c1; l0=$l1
  done
}
sample &
EXTRA_PIDS=$!
g_start=$(gw); l_start=$(busy "$GATLING_CPU"); t_start=$(date +%s)
status=0
taskset -c "$GATLING_CPU" ./mvnw -B -ntp -f loadtest/pom.xml gatling:test \
  -Dgatling.simulationClass="dev.bucket.loadtest.$SIM" -Dbucket.url="http://127.0.0.1:$PORT" \
  -Dbucket.ownerKey="$OWNER_KEY" "$@" | grep -E '^\[loadtest\]|Please open|BUILD' || status=$?
secs=$(( $(date +%s) - t_start ))
echo "[pinned] whole run ${secs} s: gateway $(( ($(gw) - g_start) / HZ )) s CPU on core $GATEWAY_CPU," \
  "core $GATLING_CPU (Gatling and Maven) $(( ($(busy "$GATLING_CPU") - l_start) / HZ )) s busy"
exit $status
