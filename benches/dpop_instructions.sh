#!/usr/bin/env bash
# Instructions per request under callgrind, deterministic on a noisy
# machine: an ES256 token as plain Bearer, the same through a layer with
# DPoP on, and an ES256-bound token with its ES256 proof; the ratio of the
# DPoP request to the plain one.
#
#   benches/dpop_instructions.sh                          # aws-lc-rs (feature jwt)
#   FEATURES=rust-crypto,jwt,dpop benches/dpop_instructions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/callgrind.sh

features=${FEATURES:-jwt,dpop}
n=${N:-100}
bench_binary dpop_instructions "$features"

base=$(count none "$n")
per() { echo $(( ($(count "$1" "$n") - base) / n )); }
bearer=$(per bearer); dpop_on=$(per bearer_with_dpop_on); dpop=$(per dpop)
printf '%-22s %10s\n' path instructions
printf '%-22s %10d\n' bearer "$bearer" bearer_with_dpop_on "$dpop_on" dpop "$dpop"
awk -v a="$dpop" -v b="$bearer" -v c="$dpop_on" \
  'BEGIN { printf "dpop / bearer: %.3f   bearer_with_dpop_on / bearer: %.3f\n", a / b, c / b }'
