// The direct JPEG decoder (engine/data/jpeg_rgb_decode.h) against OpenCV's, which it replaces for JPEGs:
// the same pixels for every kind of JPEG it takes (test photographs; baseline, progressive, restart
// markers, grey; 4:4:4, 4:2:2, 4:2:0, 4:4:0 chroma; RGB-coded), CMYK left to OpenCV, and truncated or
// corrupt files refused with a message naming them. Plain C++ (no LibTorch).
#include <cstdio>  // before jpeglib.h, which needs FILE and size_t
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <jpeglib.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/data/jpeg_rgb_decode.h"
#include "engine/data/rgb_decode.h"
#include "engine/errors.h"
#include "jpeg_encode.h"

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("  %-72s %s\n", what.c_str(), ok ? "OK" : "FAIL");
  if (!ok) ++failures;
}

// OpenCV's decoding as Fovea used it before: BGR, then to RGB.
std::vector<uint8_t> opencv_rgb(const std::vector<uint8_t>& jpeg) {
  const cv::Mat bgr = cv::imdecode(jpeg, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  if (bgr.empty()) return {};
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return std::vector<uint8_t>(rgb.data, rgb.data + rgb.total() * 3);
}

// Returns whether the direct decoder took the file; its pixels in `rgb`.
bool direct_rgb(const std::vector<uint8_t>& jpeg, std::vector<uint8_t>& rgb) {
  return fovea::engine::decode_jpeg_rgb(jpeg.data(), jpeg.size(), "test.jpg", [&](int64_t width, int64_t height) {
    rgb.assign(static_cast<size_t>(width * height * 3), 0);
    return rgb.data();
  });
}

void check_same(const std::vector<uint8_t>& jpeg, const std::string& what) {
  std::vector<uint8_t> direct;
  const bool taken = direct_rgb(jpeg, direct);
  const std::vector<uint8_t> reference = opencv_rgb(jpeg);
  check(taken && !reference.empty() && direct == reference, what + ": same pixels as OpenCV");
}

// A noisy picture with edges, so that chroma upsampling and the IDCT matter.
cv::Mat picture(int width, int height, unsigned seed) {
  cv::Mat bgr(height, width, CV_8UC3);
  std::mt19937 random(seed);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const bool block = (x / 9 + y / 7) % 2 == 0;
      bgr.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uint8_t>(block ? 30 : x * 255 / width),
                                         static_cast<uint8_t>(random() % 256),
                                         static_cast<uint8_t>(block ? 240 : y * 255 / height));
    }
  return bgr;
}

// libjpeg's encoder (chroma layouts and colour spaces OpenCV's does not offer), from a BGR picture.
std::vector<uint8_t> encode(const cv::Mat& bgr, int h, int v, J_COLOR_SPACE stored) {
  cv::Mat pixels;
  const bool cmyk = stored == JCS_CMYK;  // libjpeg does not make CMYK from RGB: four channels go in as they are
  cv::cvtColor(bgr, pixels, cmyk ? cv::COLOR_BGR2BGRA : cv::COLOR_BGR2RGB);
  return fovea::testing::encode_jpeg(pixels.data, pixels.cols, pixels.rows, cmyk ? 4 : 3, cmyk ? JCS_CMYK : JCS_RGB,
                                     {h, v, stored, 90});
}

std::vector<uint8_t> opencv_jpeg(const cv::Mat& image, std::vector<int> params) {
  std::vector<uint8_t> out;
  cv::imencode(".jpg", image, out, params);
  return out;
}

std::string error_of(const std::vector<uint8_t>& jpeg) {
  try {
    std::vector<uint8_t> rgb;
    fovea::engine::decode_rgb(jpeg.data(), jpeg.size(), "broken.jpg", [&](int64_t width, int64_t height) {
      rgb.assign(static_cast<size_t>(width * height * 3), 0);
      return rgb.data();
    });
  } catch (const fovea::engine::DatasetError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

int main() {
  check(fovea::engine::direct_jpeg_decoding_available(), "this build decodes JPEGs with libjpeg directly");
  const std::string photos = std::string(FOVEA_TEST_FIXTURES) + "/photos/";
  for (const char* name : {"astronaut.jpg", "chelsea.jpg", "coffee.jpg", "rocket.jpg"}) {
    std::ifstream file(photos + name, std::ios::binary);
    check_same(std::vector<uint8_t>(std::istreambuf_iterator<char>(file), {}), name);
  }
  const cv::Mat odd = picture(137, 61, 1);
  check_same(opencv_jpeg(odd, {cv::IMWRITE_JPEG_QUALITY, 90}), "baseline 4:2:0, 137x61");
  check_same(opencv_jpeg(odd, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}), "progressive");
  check_same(opencv_jpeg(odd, {cv::IMWRITE_JPEG_RST_INTERVAL, 2}), "restart markers");
  cv::Mat grey;
  cv::cvtColor(odd, grey, cv::COLOR_BGR2GRAY);
  check_same(opencv_jpeg(grey, {cv::IMWRITE_JPEG_QUALITY, 85}), "greyscale (expanded to RGB)");
  const cv::Mat tiny = picture(1, 1, 2), wide = picture(500, 375, 3);
  check_same(opencv_jpeg(tiny, {}), "1x1");
  for (const auto& [h, v, what] : {std::tuple{1, 1, "4:4:4"}, std::tuple{2, 1, "4:2:2"}, std::tuple{2, 2, "4:2:0"},
                                   std::tuple{1, 2, "4:4:0"}}) {
    check_same(encode(odd, h, v, JCS_YCbCr), std::string("libjpeg ") + what + ", 137x61");
    check_same(encode(wide, h, v, JCS_YCbCr), std::string("libjpeg ") + what + ", 500x375");
  }
  check_same(encode(odd, 1, 1, JCS_RGB), "stored as RGB (no colour transform)");

  std::vector<uint8_t> rgb;
  const std::vector<uint8_t> cmyk = encode(odd, 1, 1, JCS_CMYK);
  check(!direct_rgb(cmyk, rgb) && rgb.empty(), "CMYK: left to OpenCV, nothing written");
  check(error_of(cmyk).empty(), "CMYK: decode_rgb decodes it through OpenCV");

  const std::vector<uint8_t> whole = opencv_jpeg(wide, {cv::IMWRITE_JPEG_QUALITY, 90});
  const std::vector<uint8_t> progressive = opencv_jpeg(wide, {cv::IMWRITE_JPEG_PROGRESSIVE, 1});
  for (const double kept : {0.9, 0.5, 0.1}) {
    const auto cut = [&](const std::vector<uint8_t>& jpeg) {
      return std::vector<uint8_t>(jpeg.begin(), jpeg.begin() + static_cast<long>(jpeg.size() * kept));
    };
    const std::string text = error_of(cut(whole)), text_progressive = error_of(cut(progressive));
    check(text.find("broken.jpg: a corrupt or truncated JPEG file") == 0,
          "baseline cut to " + std::to_string(static_cast<int>(kept * 100)) + " %: refused (" + text.substr(0, 40) + "...)");
    check(text_progressive.find("broken.jpg: a corrupt or truncated JPEG file") == 0,
          "progressive cut to " + std::to_string(static_cast<int>(kept * 100)) + " %: refused");
  }
  std::vector<uint8_t> damaged = whole;
  for (size_t i = damaged.size() / 3; i < damaged.size() / 3 + 64; ++i) damaged[i] = 0xFF;  // invalid codes and markers
  const std::string damaged_text = error_of(damaged);
  check(damaged_text.empty() || damaged_text.find("broken.jpg:") == 0, "damaged entropy data: decoded or refused, no crash");
  std::printf("%s\n", failures ? "FAILED" : "all passed");
  return failures ? 1 : 0;
}
