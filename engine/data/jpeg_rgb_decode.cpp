#include "engine/data/jpeg_rgb_decode.h"

#include "engine/errors.h"

#if defined(FOVEA_HAVE_LIBJPEG)
#include <csetjmp>
#include <cstdio>

#include <jpeglib.h>
#include <jerror.h>
#endif

namespace fovea::engine {

#if defined(FOVEA_HAVE_LIBJPEG)
namespace {

// libjpeg reports errors through a callback that must not return: it jumps back to decode_jpeg_rgb.
struct ErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
};

[[noreturn]] void on_error(j_common_ptr info) { std::longjmp(reinterpret_cast<ErrorManager*>(info->err)->jump, 1); }

// Warnings: a premature end of the data (a truncated file, which libjpeg would fill with grey) is an
// error; the others (extraneous bytes, a bad restart marker it recovered from) are ignored, as PIL does.
void on_message(j_common_ptr info, int level) {
  if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF) info->err->error_exit(info);
}

void quiet(j_common_ptr) {}

}  // namespace

bool direct_jpeg_decoding_available() { return true; }

bool decode_jpeg_rgb(const uint8_t* data, size_t size, const std::string& name,
                     const std::function<uint8_t*(int64_t width, int64_t height)>& destination) {
  jpeg_decompress_struct info;
  ErrorManager errors;
  info.err = jpeg_std_error(&errors.pub);
  errors.pub.error_exit = on_error;
  errors.pub.emit_message = on_message;
  errors.pub.output_message = quiet;
  char message[JMSG_LENGTH_MAX] = {};
  // Nothing with a destructor lives in this frame between here and the jumps back to it.
  if (setjmp(errors.jump)) {
    errors.pub.format_message(reinterpret_cast<j_common_ptr>(&info), message);
    jpeg_destroy_decompress(&info);
    throw DatasetError(name + ": a corrupt or truncated JPEG file (libjpeg: " + message + ")");
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, data, static_cast<unsigned long>(size));
  jpeg_read_header(&info, TRUE);
  if (info.jpeg_color_space != JCS_GRAYSCALE && info.jpeg_color_space != JCS_YCbCr && info.jpeg_color_space != JCS_RGB) {
    jpeg_destroy_decompress(&info);
    return false;
  }
  info.out_color_space = JCS_RGB;
  jpeg_start_decompress(&info);
  uint8_t* out = nullptr;
  try {
    out = destination(info.output_width, info.output_height);
  } catch (...) {
    jpeg_destroy_decompress(&info);
    throw;
  }
  const size_t row_bytes = static_cast<size_t>(info.output_width) * 3;
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = out + info.output_scanline * row_bytes;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return true;
}
#else
bool direct_jpeg_decoding_available() { return false; }

bool decode_jpeg_rgb(const uint8_t*, size_t, const std::string&, const std::function<uint8_t*(int64_t, int64_t)>&) {
  return false;
}
#endif

}  // namespace fovea::engine
