#include "engine/data/rgb_decode.h"

#include <opencv2/imgproc.hpp>

#include <stdexcept>

#include "engine/data/bgr_decode.h"
#include "engine/data/jpeg_rgb_decode.h"

namespace fovea::engine {

void decode_rgb(const uint8_t* data, size_t size, const std::string& name,
                const std::function<uint8_t*(int64_t width, int64_t height)>& destination) {
  if (check_image_bytes(data, size, name).format == "JPEG" && decode_jpeg_rgb(data, size, name, destination)) return;
  const cv::Mat bgr = decode_bgr(data, size, name);
  cv::Mat rgb(bgr.rows, bgr.cols, CV_8UC3, destination(bgr.cols, bgr.rows));
  uint8_t* const target = rgb.data;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);  // same size and type: writes straight into the destination
  if (rgb.data != target) throw std::logic_error("decode_rgb: cvtColor reallocated");
}

}  // namespace fovea::engine
