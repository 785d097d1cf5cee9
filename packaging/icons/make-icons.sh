#!/usr/bin/env bash
# Renders fovea.svg into the PNG sizes that the .deb installs into the hicolor theme and that the window
# uses. The PNGs are committed, so building Fovea needs no SVG renderer; run this after editing the SVG.
# Needs rsvg-convert (Debian: librsvg2-bin).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
for size in 16 22 24 32 48 64 128 256 512; do
  rsvg-convert --width "$size" --height "$size" fovea.svg --output "fovea-$size.png"
done
