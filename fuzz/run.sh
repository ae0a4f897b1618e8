#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), JOBS at a time
# (default 1), and prints each one's executions and coverage. Fails on a
# finding: the input is in fuzz/artifacts/<target>/, and
#   cargo fuzz run --sanitizer none -a <target> <that file>
# replays it. New inputs worth keeping go to fuzz/corpus/<target>/ (not
# committed); the committed seeds are in fuzz/seeds/.
#
# Stable Rust is enough: no sanitizer (the crate forbids `unsafe`), debug
# assertions on, so an overflow is a finding too.
#
#   fuzz/run.sh          # 60 s per target
#   JOBS=2 fuzz/run.sh   # two at a time, as CI does
#   fuzz/run.sh 600      # 10 minutes per target
#   fuzz/run.sh 600 jwt  # one target
set -euo pipefail
cd "$(dirname "$0")"

SECONDS_EACH="${1:-60}"
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(extract challenge jwt jwks dpop json_reader)
fi

cargo fetch --locked # fuzz/Cargo.lock is up to date
cargo fuzz build --sanitizer none -a
# One target: its log in logs/, its summary printed; non-zero on a finding.
fuzz_one() {
  local target=$1 log="logs/$1.log" seeds=()
  mkdir -p "corpus/$target" logs
  if [ -d "seeds/$target" ]; then seeds=("seeds/$target"); fi
  if ! cargo fuzz run --sanitizer none -a "$target" "corpus/$target" "${seeds[@]}" -- \
    -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    >"$log" 2>&1; then
    tail -60 "$log"
    echo "fuzz target $target found a failure: see fuzz/artifacts/$target/"
    return 1
  fi
  printf '\n=== fuzz %s, %ss\n' "$target" "$SECONDS_EACH"
  grep -E 'inline 8-bit counters|DONE|stat::number_of_executed_units|stat::peak_rss_mb' "$log" || true
}

# JOBS targets at a time (default 1); a finding fails the run once every
# started target has finished.
failed=0
running=0
for target in "${TARGETS[@]}"; do
  fuzz_one "$target" &
  running=$((running + 1))
  if [ "$running" -ge "${JOBS:-1}" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done
exit "$failed"
