# Shared by the *_instructions.sh scripts: build one bench binary and count
# the instructions of one run of it under callgrind. Source it, then call
# `bench_binary <bench> <features>` and `count <args...>`.
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }

# Sets $binary to the executable of bench $1 built with features $2; with
# `rust-crypto` among them, the default backend aws-lc-rs is left out.
bench_binary() {
  local defaults=
  case ",$2," in *,rust-crypto,*) defaults=--no-default-features ;; esac
  binary=$(cargo bench --bench "$1" $defaults --features "$2" --no-run 2>&1 \
    | sed -n "s/.*Executable .*(\(.*$1-[^)]*\)).*/\1/p" | tail -n 1)
  [ -x "$binary" ] || { echo "could not build benches/$1.rs"; exit 1; }
}

# Instructions of one run of $binary with these arguments.
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$binary" "$@" 2>&1 \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
