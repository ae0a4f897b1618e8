#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), one after another,
# and prints each one's executions and coverage. Stops at the first
# finding: the input is in fuzz/artifacts/<target>/, and
#   cargo fuzz run --sanitizer none -a <target> <that file>
# replays it. New inputs worth keeping go to fuzz/corpus/<target>/ (not
# committed); the committed seeds are in fuzz/seeds/.
#
# Stable Rust is enough: no sanitizer (the crate forbids `unsafe`), debug
# assertions on, so an overflow is a finding too.
#
#   fuzz/run.sh          # 60 s per target, as CI does
#   fuzz/run.sh 600      # 10 minutes per target
#   fuzz/run.sh 600 jwt  # one target
set -euo pipefail
cd "$(dirname "$0")"

SECONDS_EACH="${1:-60}"
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(extract challenge jwt jwks dpop)
fi

cargo fetch --locked # fuzz/Cargo.lock is up to date
cargo fuzz build --sanitizer none -a
for target in "${TARGETS[@]}"; do
  mkdir -p "corpus/$target" "logs"
  seeds=()
  if [ -d "seeds/$target" ]; then seeds=("seeds/$target"); fi
  log="logs/$target.log"
  printf '\n=== fuzz %s for %ss\n' "$target" "$SECONDS_EACH"
  if ! cargo fuzz run --sanitizer none -a "$target" "corpus/$target" "${seeds[@]}" -- \
    -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    >"$log" 2>&1; then
    tail -60 "$log"
    echo "fuzz target $target found a failure: see fuzz/artifacts/$target/"
    exit 1
  fi
  grep -E 'inline 8-bit counters|DONE|stat::number_of_executed_units|stat::peak_rss_mb' "$log" || true
done
