#include "engine/data/image_decode.h"

#include <cstdio>

#include "engine/data/bgr_decode.h"
#include "engine/data/rgb_decode.h"
#include "engine/errors.h"

namespace fovea::engine {
namespace {

std::string size_text(int64_t width, int64_t height) { return std::to_string(width) + "x" + std::to_string(height); }

std::string gib(int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / static_cast<double>(int64_t{1} << 30));
  return text;
}

}  // namespace

LabelledImages decode_image_files(const ImageFileList& files, int64_t limit, int64_t max_bytes) {
  const int64_t total = static_cast<int64_t>(files.size());
  const int64_t count = limit > 0 && limit < total ? limit : total;
  LabelledImages out;
  std::string first_path;
  for (int64_t k = 0; k < count; ++k) {
    const size_t i = static_cast<size_t>(k * total / count);
    const std::string path = files.path(i);
    const std::vector<uint8_t> bytes = read_image_bytes(path);
    // The first image sets the size; the others are decoded straight into their place in `pixels`.
    decode_rgb(bytes.data(), bytes.size(), path, [&](int64_t width, int64_t height) {
      if (k == 0) {
        out.height = height;
        out.width = width;
        out.channels = 3;
        first_path = path;
        const int64_t needed = count * out.height * out.width * out.channels;
        if (needed > max_bytes)
          throw DatasetError(files.folder(i) + ": " + std::to_string(count) + " images of " + size_text(width, height) +
                             " need " + gib(needed) + " in memory, more than the " + gib(max_bytes) +
                             " that training from memory allows; larger data sets need the image decoding pipeline, "
                             "which is not built yet");
        out.pixels.resize(static_cast<size_t>(needed));
      } else if (height != out.height || width != out.width) {
        throw DatasetError(path + ": " + size_text(width, height) + " pixels, but " + first_path + " has " +
                           size_text(out.width, out.height) +
                           ": images of different sizes need resizing in the image decoding pipeline, which is not "
                           "built yet");
      }
      return out.pixels.data() + k * out.height * out.width * 3;
    });
    out.labels.push_back(files.label(i));
    ++out.count;
  }
  return out;
}

}  // namespace fovea::engine
