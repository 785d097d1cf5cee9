#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png (the README's pictures and the AppStream metainfo's): builds
# fovea-screenshots, which drives the real main window through the four journeys (a short CPU training
# run on Fashion-MNIST with limited data, classifying test images with its checkpoint, evaluating that
# checkpoint, the export dialog), and runs it under Xvfb with the xcb platform plugin: a real X display,
# the same widgets and fonts as on a desktop. Takes a few minutes on two cores.
#   bash docs/make_screenshots.sh [BUILD_DIR]     (default: build/default, configured with the GUI)
# Needs xvfb (xvfb-run) and Debian's dataset-fashion-mnist.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build="${1:-build/default}"
out=docs/screenshots

cmake --build "$build" --target fovea-screenshots
mkdir -p "$out"
# A fixed screen and scale, so that pictures from different machines compare.
QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=1 \
  xvfb-run --auto-servernum --server-args="-screen 0 1600x1000x24" \
  "$build/app/fovea-screenshots" "$out"
for name in train classify evaluate export; do
  [ -s "$out/$name.png" ] || { echo "make_screenshots: $out/$name.png was not written" >&2; exit 1; }
done
ls -l "$out"
