// kernels/ycbcr_to_rgb against libjpeg itself: for JPEGs of every chroma layout and awkward sizes, the
// planes libjpeg's IDCT produces (jpeg_read_raw_data) converted by ycbcr_to_rgb_cpu must equal, byte for
// byte, the RGB libjpeg decodes with its defaults (fancy upsampling, ISLOW IDCT) — the decoding PIL and
// OpenCV do. This is what lets a GPU decoder that outputs planes match PIL's pixels. Plain C++, no Qt.
#include <cstddef>
#include <cstdio>  // jpeglib.h needs size_t and FILE declared first
#include <jpeglib.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "jpeg_encode.h"
#include "kernels/ycbcr_to_rgb.h"

namespace {

int failures = 0, passes = 0;

// A test picture with what stresses chroma upsampling: saturated colour edges on every parity of x and
// y, smooth gradients, and noise.
std::vector<uint8_t> picture(int width, int height, uint32_t seed) {
  std::mt19937 random(seed);
  std::vector<uint8_t> rgb(static_cast<size_t>(width) * height * 3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      uint8_t* p = &rgb[(static_cast<size_t>(y) * width + x) * 3];
      const bool block = ((x / 3) + (y / 2)) % 2 == 0;
      p[0] = block ? 250 : static_cast<uint8_t>(x * 255 / std::max(1, width - 1));
      p[1] = block ? 10 : static_cast<uint8_t>(random() % 256);
      p[2] = block ? static_cast<uint8_t>(y * 255 / std::max(1, height - 1)) : 240;
    }
  return rgb;
}

std::vector<uint8_t> encode(const std::vector<uint8_t>& rgb, int width, int height, int h, int v, bool grey) {
  return fovea::testing::encode_jpeg(rgb.data(), width, height, 3, JCS_RGB, {h, v, grey ? JCS_GRAYSCALE : JCS_YCbCr, 92});
}

// A libjpeg decompressor on a JPEG in memory, its header read.
struct Decompressor {
  jpeg_decompress_struct d{};
  jpeg_error_mgr error{};
  explicit Decompressor(const std::vector<uint8_t>& jpeg) {
    d.err = jpeg_std_error(&error);
    jpeg_create_decompress(&d);
    jpeg_mem_src(&d, jpeg.data(), jpeg.size());
    jpeg_read_header(&d, TRUE);
  }
  ~Decompressor() { jpeg_destroy_decompress(&d); }
};

// libjpeg's own RGB output, with its defaults.
std::vector<uint8_t> decode_rgb(const std::vector<uint8_t>& jpeg) {
  Decompressor decompressor(jpeg);
  jpeg_decompress_struct& d = decompressor.d;
  d.out_color_space = JCS_RGB;
  jpeg_start_decompress(&d);
  std::vector<uint8_t> rgb(static_cast<size_t>(d.output_width) * d.output_height * 3);
  while (d.output_scanline < d.output_height) {
    JSAMPROW row = &rgb[static_cast<size_t>(d.output_scanline) * d.output_width * 3];
    jpeg_read_scanlines(&d, &row, 1);
  }
  jpeg_finish_decompress(&d);
  return rgb;
}

struct Planes {
  std::vector<std::vector<uint8_t>> planes;
  std::vector<int> widths, heights, pitches;
  int h_max = 1, v_max = 1;
};

// The component planes after the IDCT, before upsampling and colour conversion.
Planes decode_raw(const std::vector<uint8_t>& jpeg) {
  Decompressor decompressor(jpeg);
  jpeg_decompress_struct& d = decompressor.d;
  d.raw_data_out = TRUE;
  jpeg_start_decompress(&d);
  Planes out;
  out.h_max = d.max_h_samp_factor;
  out.v_max = d.max_v_samp_factor;
  const int n = d.num_components;
  std::vector<std::vector<JSAMPROW>> rows(n);
  std::vector<JSAMPARRAY> arrays(n);
  for (int c = 0; c < n; ++c) {
    const jpeg_component_info& info = d.comp_info[c];
    const int pitch = static_cast<int>(info.width_in_blocks) * DCTSIZE;
    const int padded_height = static_cast<int>(info.height_in_blocks + info.v_samp_factor) * DCTSIZE;
    out.planes.emplace_back(static_cast<size_t>(pitch) * padded_height);
    out.widths.push_back(static_cast<int>(info.downsampled_width));
    out.heights.push_back(static_cast<int>(info.downsampled_height));
    out.pitches.push_back(pitch);
    rows[c].resize(static_cast<size_t>(info.v_samp_factor) * DCTSIZE);
  }
  for (int row = 0; d.output_scanline < d.output_height; row += d.max_v_samp_factor * DCTSIZE) {
    for (int c = 0; c < n; ++c) {
      const int v = d.comp_info[c].v_samp_factor, first = row / d.max_v_samp_factor * v;
      for (int r = 0; r < v * DCTSIZE; ++r) rows[c][r] = &out.planes[c][static_cast<size_t>(first + r) * out.pitches[c]];
      arrays[c] = rows[c].data();
    }
    jpeg_read_raw_data(&d, arrays.data(), d.max_v_samp_factor * DCTSIZE);
  }
  jpeg_finish_decompress(&d);
  return out;
}

void check_case(int width, int height, int h, int v, bool grey) {
  const std::vector<uint8_t> jpeg = encode(picture(width, height, width * 7 + height), width, height, h, v, grey);
  const std::vector<uint8_t> expected = decode_rgb(jpeg);
  const Planes raw = decode_raw(jpeg);
  std::vector<uint8_t> got(expected.size(), 0);
  fovea::kernels::YcbcrPlanes p;
  p.y = raw.planes[0].data();
  p.y_pitch = raw.pitches[0];
  p.width = width;
  p.height = height;
  p.rgb = got.data();
  if (!grey) {
    p.cb = raw.planes[1].data();
    p.cr = raw.planes[2].data();
    p.chroma_pitch = raw.pitches[1];
    p.chroma_width = raw.widths[1];
    p.chroma_height = raw.heights[1];
    p.h_factor = raw.h_max;
    p.v_factor = raw.v_max;
  }
  char name[96];
  std::snprintf(name, sizeof name, "%dx%d %s", width, height,
                grey ? "grey" : (std::to_string(h) + "x" + std::to_string(v) + " luma sampling").c_str());
  if (!fovea::kernels::ycbcr_layout_supported(p)) {
    std::printf("  %-40s layout reported unsupported  FAIL\n", name);
    ++failures;
    return;
  }
  fovea::kernels::ycbcr_to_rgb_cpu(p);
  size_t differing = 0;
  int worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const int diff = std::abs(int{got[i]} - int{expected[i]});
    differing += diff != 0;
    worst = std::max(worst, diff);
  }
  const bool ok = differing == 0;
  std::printf("  %-40s %zu of %zu values differ (max %d)  %s\n", name, differing, got.size(), worst, ok ? "OK" : "FAIL");
  (ok ? passes : failures)++;
}

}  // namespace

int main() {
  std::printf("ycbcr_to_rgb_cpu on libjpeg's raw planes vs libjpeg's RGB (%d), exact\n", JPEG_LIB_VERSION);
  const int sizes[][2] = {{37, 23}, {64, 48}, {1, 1}, {2, 3}, {3, 2}, {4, 4}, {5, 7}, {17, 2}, {2, 17}, {6, 1}, {121, 67}};
  for (const auto& [w, h] : sizes) {
    check_case(w, h, 1, 1, false);  // 4:4:4
    check_case(w, h, 2, 1, false);  // 4:2:2
    check_case(w, h, 2, 2, false);  // 4:2:0
    check_case(w, h, 1, 2, false);  // 4:4:0
    check_case(w, h, 1, 1, true);   // greyscale
  }
  std::printf("%d passed, %d failed\n", passes, failures);
  return failures == 0 ? 0 : 1;
}
