#!/usr/bin/env bash
# The ceilings under wrk overload, as shipped (1,000 writes/s, 10,000 reads/s): after a warm-up, `wrk -t2 -c128` on
# creates and `wrk -t2 -c640` on cached reads for 12 s each. Prints the accepted (2xx) and refused (429) rates, the
# share of refusals carrying Retry-After and RateLimit headers, and the gateway's CPU.
#
# usage (repository root, after ./mvnw -q -DskipTests package):
#   loadtest/wrk/overload.sh [seconds=12] [warm-up seconds=45]
# env: JAVA (default java), PORT (default 18092). Needs wrk and curl. Traffic goes to 127.0.0.1 only.
set -euo pipefail
SECS=${1:-12}
WARM=${2:-45}
PORT=${PORT:-18092}
. "$(dirname "$0")/gateway.sh"
start_gateway "$PORT"
# Counts answers by status, and refusals that carry all three rate-limit headers.
cat > "$DATA/count.lua" <<LUA
local counts = {}
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function(args) ok = 0; limited = 0; headed = 0; other = 0; other_status = 0 end
response = function(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1
  elseif status == 429 then
    limited = limited + 1
    if headers["Retry-After"] and headers["RateLimit"] and headers["RateLimit-Policy"] then headed = headed + 1 end
  else other = other + 1; other_status = status end
end
done = function(summary, latency, requests)
  local o, l, h, x, xs = 0, 0, 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok"); l = l + t:get("limited"); h = h + t:get("headed"); x = x + t:get("other")
    if t:get("other_status") > 0 then xs = t:get("other_status") end
  end
  local secs = summary.duration / 1e6
  io.write(string.format("accepted %.0f/s, refused 429 %.0f/s (%d of %d with Retry-After and RateLimit headers),"
    .. " other %d (last status %d), p99 %.1f ms\n", o / secs, l / secs, h, l, x, xs, latency:percentile(99) / 1000))
end
LUA
wrk_scripts "$PORT" "$DATA/count.lua"

echo "warm-up: ${WARM} s"
wrk -t2 -c128 -d$((WARM / 2))s -s "$DATA/post.lua" "$ARTIFACTS" > /dev/null
wrk -t2 -c640 -d$((WARM / 2))s -s "$DATA/get.lua" "$ARTIFACTS/read-me/versions/1" > /dev/null
cpu() { awk '{print $14 + $15}' /proc/$GATEWAY/stat; }
c0=$(cpu)
printf 'creates, wrk -t2 -c128 %ss: ' "$SECS"
wrk -t2 -c128 -d"${SECS}"s -s "$DATA/post.lua" "$ARTIFACTS" | tail -1
printf 'reads,   wrk -t2 -c640 %ss: ' "$SECS"
wrk -t2 -c640 -d"${SECS}"s -s "$DATA/get.lua" "$ARTIFACTS/read-me/versions/1" | tail -1
echo "gateway CPU over both windows: $(( ($(cpu) - c0) / $(getconf CLK_TCK) )) s"
