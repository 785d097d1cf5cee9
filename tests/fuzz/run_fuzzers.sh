#!/usr/bin/env bash
# Builds the fuzz targets with clang (ASan + UBSan + libFuzzer) and runs each for SECONDS (default 600),
# one at a time, on a working copy of its corpus (build/fuzz/corpus/NAME/); then merges into
# tests/fuzz/corpus/NAME/ only the inputs that add coverage (-merge=1), so the committed corpus stays
# small. Crashes are written to build/fuzz/findings/, each run's log to build/fuzz/logs/. Usage:
#   bash tests/fuzz/run_fuzzers.sh [SECONDS] [TARGET...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-600}"; shift || true
build="$root/build/fuzz"
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ > /dev/null
flock /tmp/fovea-build.lock cmake --build "$build" -j"$(nproc)"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || read -r -a targets <<< "$(sed -n 's/.*FOVEA_FUZZ_TARGETS \(.*\))/\1/p' "$here/targets.cmake")"
mkdir -p "$build/findings" "$build/logs"
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
for t in "${targets[@]}"; do
  echo "== fuzz_$t for $seconds s ($(date -u +%H:%M:%S))"
  mkdir -p "$build/corpus/$t"
  cp -n "$here/corpus/$t/"* "$build/corpus/$t/" 2>/dev/null || true
  "$build/fuzz_$t" "$build/corpus/$t" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$build/findings/$t-" -print_final_stats=1 > "$build/logs/$t.log" 2>&1 || echo "fuzz_$t stopped with a finding"
  grep -E "^#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|stat::peak_rss_mb|ERROR|SUMMARY" "$build/logs/$t.log" | tail -n 5
  "$build/fuzz_$t" -merge=1 -max_len=65536 -rss_limit_mb=2048 -timeout=10 "$here/corpus/$t" "$build/corpus/$t" \
    > "$build/logs/$t-merge.log" 2>&1
  grep -E "MERGE-OUTER: [0-9]+ new files" "$build/logs/$t-merge.log" || true
done
