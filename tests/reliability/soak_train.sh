#!/usr/bin/env bash
# The long-run check of issue 11: a CPU training of about MINUTES minutes (default 30) on Fashion-MNIST
# whose resident memory is sampled every 5 seconds; after the first epoch it must not grow by 5 % or more.
# Prints the samples' summary and exits non-zero on growth. Not part of ctest (it runs for half an hour):
#   bash tests/reliability/soak_train.sh [MINUTES] [FOVEA_CLI] [DATA]
set -euo pipefail
minutes="${1:-30}"
cli="${2:-build/default/app/fovea-cli}"
data="${3:-/usr/share/datasets/fashion-mnist}"
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$cli" train --model resnet18 --data "$data" --limit-train 6000 --limit-test 1000 --batch-size 64 \
  --epochs 100000 --device cpu --out "$work/run" 2> "$work/log" > /dev/null &
pid=$!
end=$(( $(date +%s) + minutes * 60 ))
baseline=""; peak=0; samples=0
echo "seconds,rss_kib,epochs_done" > "$work/rss.csv"
start=$(date +%s)
while [ "$(date +%s)" -lt "$end" ] && kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
  epochs=$(grep -c "epoch [0-9]*/" "$work/log" || true)
  echo "$(( $(date +%s) - start )),$rss,$epochs" >> "$work/rss.csv"
  if [ "$epochs" -ge 1 ]; then
    [ -n "$baseline" ] || baseline=$rss
    [ "$rss" -gt "$peak" ] && peak=$rss
    samples=$((samples + 1))
  fi
  sleep 5
done
kill -0 "$pid" 2>/dev/null || { echo "the training stopped early:"; tail -5 "$work/log"; exit 1; }
epochs=$(grep -c "epoch [0-9]*/" "$work/log" || true)
[ -n "$baseline" ] || { echo "no epoch finished in $minutes minutes"; exit 1; }
growth=$(awk -v b="$baseline" -v p="$peak" 'BEGIN { printf "%.2f", 100 * (p - b) / b }')
echo "soak: $minutes min, $epochs epochs, RSS after epoch 1: $baseline KiB, peak after that: $peak KiB, growth $growth % ($samples samples)"
cp "$work/rss.csv" "${SOAK_CSV:-/tmp/fovea-soak-rss.csv}"
awk -v g="$growth" 'BEGIN { exit (g < 5.0) ? 0 : 1 }'
