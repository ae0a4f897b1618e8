#!/usr/bin/env bash
# Instructions per request through BearerAuthLayer with keys fetched from a
# JWKS endpoint (127.0.0.1, started by the bench) against the same keys
# configured, per algorithm, with the ratio remote / static. Deterministic
# on a noisy machine, unlike wall-clock figures.
#
#   benches/jwks_instructions.sh                        # aws-lc-rs (feature jwt)
#   FEATURES=rust-crypto,jwt,jwks benches/jwks_instructions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/callgrind.sh

features=${FEATURES:-jwt,jwks}
n=${N:-100}
bench_binary jwks "$features"

printf '%-6s %12s %12s %15s\n' alg static remote remote/static
for alg in rs256 es256 eddsa; do
  base=$(count none "$alg" "$n")
  per() { echo $(( ($(count "$1" "$alg" "$n") - base) / n )); }
  configured=$(per static); fetched=$(per remote)
  ratio=$(awk -v r="$fetched" -v s="$configured" 'BEGIN { printf "%.3f", r / s }')
  printf '%-6s %12d %12d %15s\n' "$alg" "$configured" "$fetched" "$ratio"
done
