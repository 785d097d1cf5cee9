#include "engine/data/image_decode.h"

#include <opencv2/imgproc.hpp>

#include <cstdio>
#include <stdexcept>

#include "engine/data/bgr_decode.h"
#include "engine/errors.h"

namespace fovea::engine {
namespace {

std::string size_text(const cv::Mat& image) { return std::to_string(image.cols) + "x" + std::to_string(image.rows); }

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
    const cv::Mat bgr = read_bgr(path);
    if (k == 0) {
      out.height = bgr.rows;
      out.width = bgr.cols;
      out.channels = 3;
      first_path = path;
      const int64_t bytes = count * out.height * out.width * out.channels;
      if (bytes > max_bytes)
        throw DatasetError(files.folder(i) + ": " + std::to_string(count) + " images of " + size_text(bgr) + " need " +
                           gib(bytes) + " in memory, more than the " + gib(max_bytes) +
                           " that training from memory allows; larger data sets need the image decoding pipeline, "
                           "which is not built yet");
      out.pixels.resize(static_cast<size_t>(bytes));
    } else if (bgr.rows != out.height || bgr.cols != out.width) {
      throw DatasetError(path + ": " + size_text(bgr) + " pixels, but " + first_path + " has " +
                         std::to_string(out.width) + "x" + std::to_string(out.height) +
                         ": images of different sizes need resizing in the image decoding pipeline, which is not "
                         "built yet");
    }
    cv::Mat rgb(bgr.rows, bgr.cols, CV_8UC3, out.pixels.data() + k * out.height * out.width * 3);
    uint8_t* const target = rgb.data;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);  // same size and type: writes straight into `pixels`
    if (rgb.data != target) throw std::logic_error("decode_image_files: cvtColor reallocated");
    out.labels.push_back(files.label(i));
    ++out.count;
  }
  return out;
}

}  // namespace fovea::engine
