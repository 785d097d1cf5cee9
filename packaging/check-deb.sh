#!/usr/bin/env bash
# Builds the .deb in a configured, built build folder and checks it as CI does; fails loudly on the
# first problem. Usage: bash packaging/check-deb.sh [BUILD_DIR]   (default: build/default)
#  1. cpack -G DEB
#  2. dpkg-deb -c: both binaries, the .desktop file, the MIME types, the metainfo, the SVG and PNG icons
#  3. dpkg-deb -I: Depends holds the list's runtime packages and the package of every library the
#     binaries link (what dpkg-shlibdeps should have found)
#  4. desktop-file-validate and appstreamcli validate the packaged files (when those tools are installed)
#  5. dpkg -i (root, or sudo), then the installed fovea-cli --version / models and fovea --version;
#     without root or sudo the package is unpacked into a temporary folder and run from there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build="${1:-build/default}"
app_id=io.github.fovea.Fovea

fail() { echo "check-deb: FAILED: $*" >&2; exit 1; }
step() { echo "== check-deb: $*"; }

step "cpack -G DEB in $build"
rm -f "$build"/fovea_*.deb
(cd "$build" && cpack -G DEB >/dev/null) || fail "cpack -G DEB"
deb=$(ls "$build"/fovea_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fail "cpack wrote no fovea_*.deb in $build"
echo "$deb ($(du -h "$deb" | cut -f1))"

step "dpkg-deb -c"
contents=$(dpkg-deb -c "$deb" | awk '{print $NF}')
expected="./usr/bin/fovea ./usr/bin/fovea-cli
./usr/share/applications/$app_id.desktop ./usr/share/metainfo/$app_id.metainfo.xml
./usr/share/mime/packages/fovea.xml ./usr/share/icons/hicolor/scalable/apps/fovea.svg"
for size in 16 22 24 32 48 64 128 256 512; do
  expected="$expected ./usr/share/icons/hicolor/${size}x${size}/apps/fovea.png"
done
for file in $expected; do
  grep -qxF "$file" <<<"$contents" || fail "$deb lacks $file"
  echo "  has $file"
done

step "dpkg-deb -I (Depends)"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
echo "Recommends: $(dpkg-deb -f "$deb" Recommends)"
# Package names only, one a line. (No early-exiting reader in a pipeline here: with pipefail, a writer's
# SIGPIPE would fail the check.)
dependency_names=$(tr ',' '\n' <<<"$depends" | sed -e 's/^ *//' -e 's/[ (].*//')
has_dependency() { grep -qxF "$1" <<<"$dependency_names"; }
runtime=$(sed -e 's/#.*//' packaging/debian-packages.txt | grep -v '\[' | xargs)
for package in $runtime; do
  has_dependency "$package" || fail "Depends lacks $package (a runtime entry of packaging/debian-packages.txt)"
done
unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
dpkg-deb -x "$deb" "$unpacked"
# Every library the binaries need, by the package that holds it on this machine.
library_cache=$(ldconfig -p)
for binary in "$unpacked/usr/bin/fovea" "$unpacked/usr/bin/fovea-cli"; do
  for library in $(objdump -p "$binary" | awk '/NEEDED/ {print $2}'); do
    path=$(awk -v lib="$library" '$1 == lib && !found {print $NF; found = 1}' <<<"$library_cache")
    [ -n "$path" ] || fail "$(basename "$binary") needs $library, which is not installed here"
    owner=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | awk -F: 'NR == 1 {print $1}') || owner=""
    [ -n "$owner" ] || owner=$(dpkg -S "$path" 2>/dev/null | awk -F: 'NR == 1 {print $1}') || owner=""
    [ -n "$owner" ] || fail "no package holds $path"
    # The shlibs files may name a virtual package that the owner provides (libspdlog1.10-fmt9).
    satisfied=""
    for name in "$owner" $(dpkg-query -W -f='${Provides}' "$owner" | tr ',' '\n' | sed -e 's/[ (].*//; s/^ *//'); do
      has_dependency "$name" && satisfied="$name"
    done
    [ -n "$satisfied" ] || fail "Depends lacks $owner ($library, needed by $(basename "$binary"))"
  done
done
echo "  Depends covers the runtime list and the packages of all linked libraries"

step "validating the desktop entry and the metainfo"
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$unpacked/usr/share/applications/$app_id.desktop" || fail "desktop-file-validate"
else
  echo "  desktop-file-validate not installed: skipped"
fi
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net "$unpacked/usr/share/metainfo/$app_id.metainfo.xml" || fail "appstreamcli validate"
else
  echo "  appstreamcli not installed: skipped"
fi

step "installing"
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo -n"
if [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then
  was_installed=$(dpkg-query -W -f='${Status}' fovea 2>/dev/null | grep -c 'install ok installed' || true)
  $sudo dpkg -i "$deb" || fail "dpkg -i $deb"
  root=""
else
  echo "  neither root nor sudo: running the unpacked package instead of installing it"
  was_installed=1
  root="$unpacked"
fi
version=$("$root/usr/bin/fovea-cli" --version) || fail "fovea-cli --version"
echo "  $root/usr/bin/fovea-cli --version: $version"
grep -q "^fovea-cli $(dpkg-deb -f "$deb" Version)" <<<"$version" || fail "the installed fovea-cli reports '$version'"
models=$("$root/usr/bin/fovea-cli" models) || fail "fovea-cli models"
grep -q resnet18 <<<"$models" || fail "fovea-cli models does not list resnet18"
echo "  $root/usr/bin/fovea-cli models: $(wc -l <<<"$models") lines"
QT_QPA_PLATFORM=offscreen "$root/usr/bin/fovea" --version >/dev/null || fail "fovea --version"
echo "  $root/usr/bin/fovea --version: ok"
if [ -z "$root" ] && command -v update-mime-database >/dev/null; then
  # shared-mime-info's trigger compiled the checkpoint types into the MIME database.
  [ -f /usr/share/mime/application/x-safetensors.xml ] || fail "the MIME database lacks application/x-safetensors"
  echo "  MIME types registered: application/x-safetensors, application/x-pytorch-checkpoint"
fi
# Leave the machine as it was: the check installed the package, so it removes it again.
[ "$was_installed" = 1 ] || $sudo dpkg -r fovea >/dev/null
step "ok: $deb"
