#!/usr/bin/env bash
# Instructions per JWT verification under callgrind, deterministic on a
# noisy machine: jsonwebtoken::decode, JwtVerifier::verify_jwt and the whole
# BearerAuthLayer path, per algorithm, with the ratio layer / decode.
#
#   benches/jwt_instructions.sh                 # aws-lc-rs (feature jwt)
#   FEATURES=jwt-rust-crypto benches/jwt_instructions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/callgrind.sh

features=${FEATURES:-jwt}
n=${N:-100}
bench_binary jwt_instructions "$features"

printf '%-6s %12s %12s %12s %13s\n' alg decode verify_jwt layer layer/decode
for alg in hs256 rs256 es256 eddsa; do
  base=$(count none "$alg" "$n")
  per() { echo $(( ($(count "$1" "$alg" "$n") - base) / n )); }
  decode=$(per decode); verify=$(per verify); layer=$(per layer)
  ratio=$(awk -v l="$layer" -v d="$decode" 'BEGIN { printf "%.3f", l / d }')
  printf '%-6s %12d %12d %12d %13s\n' "$alg" "$decode" "$verify" "$layer" "$ratio"
done
