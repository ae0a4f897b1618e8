#!/usr/bin/env bash
# Instructions per request that BearerAuthLayer adds to a bare service,
# beside tower-http's static bearer check, under callgrind: deterministic
# on a noisy machine. The targets: `accepting` at most 2x
# `tower_http_accepted`, `missing` no more than `tower_http_missing`.
#
#   benches/layer_instructions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/callgrind.sh

n=${N:-1000}
bench_binary layer_instructions ""

base=$(count none "$n")
per() { echo $(( ($(count "$1" "$n") - base) / n )); }
bare=$(per bare)
printf 'bare service: %d instructions per request\n\n' "$bare"
printf '%-20s %10s\n' case "added"
declare -A added
for case in accepting static_tokens missing malformed \
  tower_http_accepted tower_http_missing tower_http_with_claims; do
  added[$case]=$(( $(per "$case") - bare ))
  printf '%-20s %10d\n' "$case" "${added[$case]}"
done
# tower-http's bare 401 costs no more than the bare service's 204: a
# difference at or below zero has no ratio.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a (%d against %d)", a, b }'; }
printf '\naccepting / tower_http_accepted: %s (target <= 2)\n' \
  "$(ratio "${added[accepting]}" "${added[tower_http_accepted]}")"
printf 'missing / tower_http_missing:    %s (target <= 1)\n' \
  "$(ratio "${added[missing]}" "${added[tower_http_missing]}")"
printf 'accepting / tower_http_with_claims: %s (both attach claims)\n' \
  "$(ratio "${added[accepting]}" "${added[tower_http_with_claims]}")"
