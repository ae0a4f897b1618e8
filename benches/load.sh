#!/usr/bin/env bash
# Requests per second of the quickstart (examples/quickstart.rs) under wrk,
# with and without authentication, in one run: the server pinned to one
# core, wrk to the other, both on 127.0.0.1.
#
#   benches/load.sh                  # 3 rounds of 5 s per mode, 32 connections
#   ROUNDS=5 DURATION=10s CONNECTIONS=64 benches/load.sh
#
# Modes, each against a fresh server:
#   no-auth       GET /public, outside the layer (the yardstick)
#   hs256         GET /hello with an HS256 token, verified on every request
#   es256         GET /hello with an ES256 token, verified on every request
#   hs256-cached  the same with JWT_CACHE=on: every request after the first
#   es256-cached  is a cache hit
#   hs256-by-hand /hello behind the check people write by hand instead
#   es256-by-hand (benches/handwritten.rs: an axum from_fn calling
#                 jsonwebtoken's decode), the same token and configuration
# /hello and /public answer the same few bytes, so the difference is the
# layer. The modes take turns, round after round, so a noisy neighbour
# slows them alike. Printed per mode, the median over the rounds: requests
# per second, CPU time of the server per request, wrk's p99 latency, and
# the rate as a fraction of no-auth's, and for the verifying modes the rate
# against the hand-written check's.
# Targets: hs256 >= 0.75 of no-auth (issue 23), both cached modes >= 0.93.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-38917}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}

if ! command -v wrk >/dev/null; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
fi

cargo build --release --quiet --example quickstart --features axum,jwt,cache
quickstart=target/release/examples/quickstart
built=$(cargo bench --bench handwritten --features axum,jwt,cache --no-run 2>&1) \
  || { echo "$built"; echo "could not build benches/handwritten.rs"; exit 1; }
handwritten=$(sed -n 's/.*Executable .*(\(.*handwritten-[^)]*\)).*/\1/p' <<<"$built" | tail -n 1)
[ -x "$handwritten" ] || { echo "$built"; echo "no executable for benches/handwritten.rs"; exit 1; }
fixtures=tests/fixtures/jwt
token() {
  python3 -c 'import json, sys
tokens = json.load(open(sys.argv[1]))["tokens"]
print(next(t["token"] for t in tokens if t["name"] == sys.argv[2]))' "$fixtures/tokens.json" "$1"
}
HS256_TOKEN=$(token hs256-valid)
ES256_TOKEN=$(token es256-valid)
HS256_SECRET=$(cat "$fixtures/hs256.secret")
ticks_per_second=$(getconf CLK_TCK)

pid=
stop_server() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; fi; }
trap stop_server EXIT

# CPU ticks (user + system) the server has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }

# run <mode> <quickstart|handwritten> <path> <token or -> <env...>
run() {
  local mode=$1 path=$3 bearer=$4 command
  case $2 in
    quickstart) command=("$quickstart") ;;
    handwritten) command=("$handwritten" serve) ;;
  esac
  shift 4
  env BIND="127.0.0.1:$PORT" JWT_ISSUER=https://issuer.example.com \
    JWT_AUDIENCE=https://api.example.com "$@" \
    taskset -c "$SERVER_CPU" "${command[@]}" 2>/dev/null &
  pid=$!
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
    sleep 0.1
  done
  local header=()
  if [ "$bearer" != - ]; then header=(-H "Authorization: Bearer $bearer"); fi
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' "${header[@]}" "http://127.0.0.1:$PORT$path")
  [ "$status" = 200 ] || { echo "$mode: $path answered $status, not 200"; exit 1; }
  # Warm-up, then the measured run.
  taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d2s "${header[@]}" "http://127.0.0.1:$PORT$path" >/dev/null
  local before after out
  before=$(cpu_ticks)
  out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "${header[@]}" \
    "http://127.0.0.1:$PORT$path")
  after=$(cpu_ticks)
  stop_server
  if grep -q "Non-2xx" <<<"$out"; then echo "$mode: wrk saw non-2xx answers"; echo "$out"; exit 1; fi
  local rps requests p99
  rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  # In milliseconds, whatever unit wrk picked.
  p99=$(awk '$1 == "99%" { v = $2 + 0; u = $2; sub(/^[0-9.]+/, "", u)
    printf "%.2f", u == "us" ? v / 1000 : u == "s" ? v * 1000 : v }' <<<"$out")
  local cpu_us
  cpu_us=$(awk -v t="$((after - before))" -v hz="$ticks_per_second" -v n="$requests" \
    'BEGIN { printf "%.2f", t / hz / n * 1e6 }')
  results[$mode]+="$rps $cpu_us $p99"$'\n'
}

# The median of column $2 (1: rps, 2: CPU, 3: p99) of mode $1's rounds.
median() {
  sed '/^$/d' <<<"${results[$1]}" | awk -v c="$2" '{ print $c }' | sort -g \
    | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

declare -A results
modes=(no-auth hs256 es256 hs256-cached es256-cached hs256-by-hand es256-by-hand)
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round of $ROUNDS" >&2
  run no-auth quickstart /public - JWT_SECRET="$HS256_SECRET"
  run hs256 quickstart /hello "$HS256_TOKEN" JWT_SECRET="$HS256_SECRET"
  run es256 quickstart /hello "$ES256_TOKEN" JWT_PUBLIC_KEY="$fixtures/ec256.pem"
  run hs256-cached quickstart /hello "$HS256_TOKEN" JWT_SECRET="$HS256_SECRET" JWT_CACHE=on
  run es256-cached quickstart /hello "$ES256_TOKEN" JWT_PUBLIC_KEY="$fixtures/ec256.pem" JWT_CACHE=on
  run hs256-by-hand handwritten /hello "$HS256_TOKEN" JWT_SECRET="$HS256_SECRET"
  run es256-by-hand handwritten /hello "$ES256_TOKEN" JWT_PUBLIC_KEY="$fixtures/ec256.pem"
done

echo "wrk -t1 -c$CONNECTIONS -d$DURATION, $ROUNDS rounds, medians;" \
  "server on CPU $SERVER_CPU, wrk on CPU $CLIENT_CPU"
printf '%-14s %12s %16s %10s %8s %8s\n' mode requests/s "CPU µs/request" "p99 ms" ratio "by hand"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
base_rps=$(median no-auth 1)
for mode in "${modes[@]}"; do
  rps=$(median "$mode" 1)
  # The rate against the hand-written check of the same algorithm.
  case $mode in
    hs256 | hs256-cached) vs_by_hand=$(ratio "$rps" "$(median hs256-by-hand 1)") ;;
    es256 | es256-cached) vs_by_hand=$(ratio "$rps" "$(median es256-by-hand 1)") ;;
    *) vs_by_hand=- ;;
  esac
  printf '%-14s %12s %16s %10s %8s %8s\n' "$mode" "$rps" "$(median "$mode" 2)" \
    "$(median "$mode" 3)" "$(ratio "$rps" "$base_rps")" "$vs_by_hand"
done
