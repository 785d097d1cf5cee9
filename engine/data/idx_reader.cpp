#include "engine/data/idx_reader.h"

#include "engine/errors.h"
#include "engine/io/file_bytes.h"

namespace fovea::engine {
namespace {

constexpr uint8_t kUnsignedByte = 0x08;
constexpr size_t kMaxHeaderBytes = 4 + 4 * 255;

std::string hex(uint8_t value) {
  static const char digits[] = "0123456789abcdef";
  return std::string("0x") + digits[value >> 4] + digits[value & 15];
}

}  // namespace

IdxArray parse_idx(const std::vector<uint8_t>& bytes, const std::string& name, bool header_only) {
  if (bytes.size() < 4) throw DatasetError(name + ": too short to be an IDX file (" + std::to_string(bytes.size()) + " bytes)");
  if (bytes[0] != 0 || bytes[1] != 0)
    throw DatasetError(name + ": not an IDX file (magic starts " + hex(bytes[0]) + " " + hex(bytes[1]) +
                       ", expected 0x00 0x00)");
  if (bytes[2] != kUnsignedByte)
    throw DatasetError(name + ": IDX value type " + hex(bytes[2]) + " is not supported (only unsigned bytes, 0x08)");
  const int ndims = bytes[3];
  if (ndims < 1 || ndims > 4) throw DatasetError(name + ": IDX file with " + std::to_string(ndims) + " dimensions is not supported");
  const size_t header = 4 + 4 * static_cast<size_t>(ndims);
  if (bytes.size() < header) throw DatasetError(name + ": IDX header is truncated");
  IdxArray array;
  int64_t total = 1;
  for (int d = 0; d < ndims; ++d) {
    const uint8_t* p = bytes.data() + 4 + 4 * d;
    const int64_t size = (int64_t{p[0]} << 24) | (int64_t{p[1]} << 16) | (int64_t{p[2]} << 8) | int64_t{p[3]};
    if (size > (int64_t{1} << 34) / std::max<int64_t>(total, 1))
      throw DatasetError(name + ": IDX dimensions are implausibly large");
    array.dims.push_back(size);
    total *= size;
  }
  if (header_only) return array;
  const size_t expected = header + static_cast<size_t>(total);
  if (bytes.size() != expected)
    throw DatasetError(name + ": IDX file has " + std::to_string(bytes.size()) + " bytes, its header promises " +
                       std::to_string(expected) + (bytes.size() < expected ? " (truncated)" : " (trailing data)"));
  array.values.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return array;
}

IdxArray read_idx(const std::string& path) { return parse_idx(read_maybe_gzip(path), path); }

std::vector<int64_t> read_idx_dims(const std::string& path) {
  return parse_idx(read_maybe_gzip(path, kMaxHeaderBytes), path, /*header_only=*/true).dims;
}

LabelledImages read_idx_images(const std::string& images_path, const std::string& labels_path, int64_t limit) {
  IdxArray images = read_idx(images_path);
  IdxArray labels = read_idx(labels_path);
  if (images.dims.size() != 3 && images.dims.size() != 4)
    throw DatasetError(images_path + ": expected an images file of 3 or 4 dimensions, found " +
                       std::to_string(images.dims.size()));
  if (labels.dims.size() != 1) throw DatasetError(labels_path + ": expected a labels file of 1 dimension");
  if (labels.dims[0] != images.dims[0])
    throw DatasetError(labels_path + ": " + std::to_string(labels.dims[0]) + " labels for " +
                       std::to_string(images.dims[0]) + " images in " + images_path);
  LabelledImages out;
  out.count = images.dims[0];
  out.height = images.dims[1];
  out.width = images.dims[2];
  out.channels = images.dims.size() == 4 ? images.dims[3] : 1;
  if (limit > 0 && limit < out.count) out.count = limit;
  const size_t per_image = static_cast<size_t>(out.height * out.width * out.channels);
  images.values.resize(per_image * static_cast<size_t>(out.count));
  out.pixels = std::move(images.values);
  out.labels.assign(labels.values.begin(), labels.values.begin() + out.count);
  return out;
}

}  // namespace fovea::engine
