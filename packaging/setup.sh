#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for Fovea, builds it, and then runs the app or the test suite.
#   bash packaging/setup.sh run     install dependencies, build, launch fovea
#   bash packaging/setup.sh test    install dependencies, build, run the whole test suite (ctest), then
#                                   build the .deb, check its contents and install it (packaging/check-deb.sh)
# Needs root or sudo for apt-get; everything else runs as the calling user.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mode="${1:-run}"
case "$mode" in run|test|build) ;; *) echo "usage: $0 run|test|build" >&2; exit 2 ;; esac

packages=$(sed -e 's/#.*//' -e 's/\[[a-z]*\]//' packaging/debian-packages.txt | xargs)
missing=$(for p in $packages; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || echo "$p"
done | xargs)
if [ -n "$missing" ]; then
  echo "== installing: $missing"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi

cmake --preset default
cmake --build --preset default
case "$mode" in
  run)  exec ./build/default/app/fovea ;;
  test)
    ctest --preset default
    bash packaging/check-deb.sh build/default ;;
esac
