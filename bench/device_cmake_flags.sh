#!/usr/bin/env bash
# Extra CMake flags for the GPU machine, printed for `cmake --preset cuda $(bash bench/device_cmake_flags.sh)`.
# libjpeg: its headers are not in the dependency bundle (the library is, inside OpenCV's static build), so
# copy Debian's (jpeglib.h, jmorecfg.h, jerror.h, jconfig.h of libjpeg62-turbo-dev, the version the bundle
# was built from) into .carry/jpeg-include and carry it: JPEGs are then decoded by libjpeg directly
# (engine/data/jpeg_rgb_decode.h), as on Debian, instead of through OpenCV.
set -euo pipefail
if [ -f .carry/jpeg-include/jpeglib.h ] && [ -f /tmp/fovea-device-deps/lib/opencv4/3rdparty/libjpeg.a ]; then
  echo "-DJPEG_INCLUDE_DIR=$PWD/.carry/jpeg-include -DJPEG_LIBRARY=/tmp/fovea-device-deps/lib/opencv4/3rdparty/libjpeg.a"
fi
