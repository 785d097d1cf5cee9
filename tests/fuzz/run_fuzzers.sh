#!/usr/bin/env bash
# Builds the fuzz targets with clang (ASan + UBSan + libFuzzer) and runs each for SECONDS (default 600)
# on its corpus; new inputs that add coverage are written back into tests/fuzz/corpus/NAME/ (keep them
# small: -max_len). Crashes are written to build/fuzz/findings/. Usage:
#   bash tests/fuzz/run_fuzzers.sh [SECONDS] [TARGET...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-600}"; shift || true
build="$root/build/fuzz"
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ > /dev/null
cmake --build "$build" -j"$(nproc)"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || read -r -a targets <<< "$(sed -n 's/.*FOVEA_FUZZ_TARGETS \(.*\))/\1/p' "$here/targets.cmake")"
mkdir -p "$build/findings"
for t in "${targets[@]}"; do
  echo "== fuzz_$t for $seconds s"
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 "$build/fuzz_$t" "$here/corpus/$t" \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$build/findings/$t-" -print_final_stats=1 2>&1 | tail -n 12
done
