#!/usr/bin/env bash
# Instructions per JWT verification under callgrind, deterministic on a
# noisy machine: jsonwebtoken::decode, JwtVerifier::verify_jwt, the whole
# BearerAuthLayer path and the same with a cache hit, per algorithm, with
# the ratios layer / decode and cached / HS256 decode (the targets: at most
# 1 and at most 0.1).
#
#   benches/jwt_instructions.sh                       # aws-lc-rs (feature jwt)
#   FEATURES=jwt-rust-crypto,cache benches/jwt_instructions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/callgrind.sh

features=${FEATURES:-jwt,cache}
n=${N:-100}
bench_binary jwt_instructions "$features"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
printf '%-6s %10s %10s %10s %8s %13s %20s\n' \
  alg decode verify_jwt layer cached layer/decode cached/hs256_decode
hs256_decode=
for alg in hs256 rs256 es256 eddsa; do
  base=$(count none "$alg" "$n")
  per() { echo $(( ($(count "$1" "$alg" "$n") - base) / n )); }
  decode=$(per decode); verify=$(per verify); layer=$(per layer); cached=$(per cached)
  hs256_decode=${hs256_decode:-$decode}
  printf '%-6s %10d %10d %10d %8d %13s %20s\n' "$alg" "$decode" "$verify" "$layer" "$cached" \
    "$(ratio "$layer" "$decode")" "$(ratio "$cached" "$hs256_decode")"
done
