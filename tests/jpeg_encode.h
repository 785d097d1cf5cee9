// libjpeg's encoder for the JPEG tests: any chroma layout and stored colour space (OpenCV's encoder offers
// neither). Include <cstdio> before this header: jpeglib.h needs FILE and size_t declared.
#pragma once
#include <jpeglib.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace fovea::testing {

struct JpegEncoding {
  int h_factor = 2, v_factor = 2;       // luma sampling factors: 1x1 = 4:4:4, 2x1 = 4:2:2, 2x2 = 4:2:0, 1x2 = 4:4:0
  J_COLOR_SPACE stored = JCS_YCbCr;     // JCS_GRAYSCALE, JCS_RGB (no colour transform), JCS_CMYK (give CMYK)
  int quality = 90;
};

// `pixels`: height rows of width * components bytes in colour space `given` (JCS_RGB, or JCS_CMYK).
inline std::vector<uint8_t> encode_jpeg(const uint8_t* pixels, int width, int height, int components,
                                        J_COLOR_SPACE given, const JpegEncoding& e) {
  jpeg_compress_struct c{};
  jpeg_error_mgr errors{};
  c.err = jpeg_std_error(&errors);
  jpeg_create_compress(&c);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &buffer, &size);
  c.image_width = static_cast<JDIMENSION>(width);
  c.image_height = static_cast<JDIMENSION>(height);
  c.input_components = components;
  c.in_color_space = given;
  jpeg_set_defaults(&c);
  jpeg_set_colorspace(&c, e.stored);
  jpeg_set_quality(&c, e.quality, TRUE);
  c.comp_info[0].h_samp_factor = e.h_factor;
  c.comp_info[0].v_samp_factor = e.v_factor;
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(pixels + static_cast<size_t>(c.next_scanline) * width * components);
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  std::vector<uint8_t> bytes(buffer, buffer + size);
  jpeg_destroy_compress(&c);
  std::free(buffer);
  return bytes;
}

}  // namespace fovea::testing
