#!/usr/bin/env bash
# How soon a cold gateway holds its ceilings: starts a gateway as shipped (1,000 writes/s, 10,000 reads/s) and from
# its first healthy answer runs consecutive 5 s windows of wrk overload, alternating creates (-t2 -c128) and cached
# reads (-t2 -c640), printing each window's accepted rate, its distance from the ceiling, and the JIT's cumulative
# compile time (jstat).
#
# usage (repository root, after ./mvnw -q -DskipTests package):
#   loadtest/wrk/cold-start.sh [windows=12]
# env: PORT (default 18094), JAVA, HEAP, JAVA_OPTS, GATEWAY_CPUS (loadtest/wrk/gateway.sh). Needs wrk, curl, jstat.
# Traffic goes to 127.0.0.1 only; every wrk run is bounded by its duration.
set -euo pipefail
WINDOWS=${1:-12}
PORT=${PORT:-18094}
T0=$(date +%s.%N)
. "$(dirname "$0")/gateway.sh"
start_gateway "$PORT"
printf 'healthy %.1f s after the start command\n' "$(echo "$(date +%s.%N) - $T0" | bc)"
cat > "$DATA/ok.lua" <<LUA
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function(args) ok = 0 end
response = function(status, headers, body) if status >= 200 and status < 300 then ok = ok + 1 end end
done = function(summary, latency, requests)
  local o = 0
  for _, t in ipairs(threads) do o = o + t:get("ok") end
  io.write(string.format("%.0f\n", o / (summary.duration / 1e6)))
end
LUA
wrk_scripts "$PORT" "$DATA/ok.lua"
for i in $(seq 1 "$WINDOWS"); do
  if (( i % 2 )); then kind=creates; ceiling=1000; rate=$(wrk -t2 -c128 -d5s -s "$DATA/post.lua" "$ARTIFACTS" | tail -1)
  else kind=reads; ceiling=10000; rate=$(wrk -t2 -c640 -d5s -s "$DATA/get.lua" "$ARTIFACTS/read-me/versions/1" | tail -1)
  fi
  printf '%5.1f s after start: %-7s accepted %6d/s (%+5.1f %% of the ceiling), JIT compile time so far %s s\n' \
    "$(echo "$(date +%s.%N) - $T0" | bc)" "$kind" "$rate" "$(echo "($rate - $ceiling) * 100 / $ceiling" | bc -l)" \
    "$(jstat -compiler "$GATEWAY" | awk 'NR == 2 {print $4}')"
done
