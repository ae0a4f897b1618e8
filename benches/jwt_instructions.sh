#!/usr/bin/env bash
# Instructions per JWT verification under callgrind, deterministic on a
# noisy machine: jsonwebtoken::decode, JwtVerifier::verify_jwt and the whole
# BearerAuthLayer path, per algorithm, with the ratio layer / decode.
#
#   benches/jwt_instructions.sh                 # aws-lc-rs (feature jwt)
#   FEATURES=jwt-rust-crypto benches/jwt_instructions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }

features=${FEATURES:-jwt}
n=${N:-100}
binary=$(cargo bench --bench jwt_instructions --features "$features" --no-run 2>&1 \
  | sed -n 's/.*Executable .*(\(.*jwt_instructions-[^)]*\)).*/\1/p' | tail -n 1)
[ -x "$binary" ] || { echo "could not build benches/jwt_instructions.rs"; exit 1; }

count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$binary" "$@" 2>&1 \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

printf '%-6s %12s %12s %12s %13s\n' alg decode verify_jwt layer layer/decode
for alg in hs256 rs256 es256 eddsa; do
  base=$(count none "$alg" "$n")
  per() { echo $(( ($(count "$1" "$alg" "$n") - base) / n )); }
  decode=$(per decode); verify=$(per verify); layer=$(per layer)
  ratio=$(awk -v l="$layer" -v d="$decode" 'BEGIN { printf "%.3f", l / d }')
  printf '%-6s %12d %12d %12d %13s\n' "$alg" "$decode" "$verify" "$layer" "$ratio"
done
