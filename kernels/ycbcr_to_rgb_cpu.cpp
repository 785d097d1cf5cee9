#include "kernels/ycbcr_pixel.h"

namespace fovea::kernels {

bool ycbcr_layout_supported(const YcbcrPlanes& p) {
  const bool factors = (p.h_factor == 1 || p.h_factor == 2) && (p.v_factor == 1 || p.v_factor == 2);
  if (!factors || p.width < 1 || p.height < 1 || p.y == nullptr || p.rgb == nullptr) return false;
  if (p.cb == nullptr) return true;
  return p.cr != nullptr && p.chroma_width == (p.width + p.h_factor - 1) / p.h_factor &&
         p.chroma_height == (p.height + p.v_factor - 1) / p.v_factor;
}

void ycbcr_to_rgb_cpu(const YcbcrPlanes& image) {
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x) ycbcr_detail::convert_pixel(image, x, y);
}

}  // namespace fovea::kernels
