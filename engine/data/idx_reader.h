// MNIST-style IDX files (http://yann.lecun.com/exdb/mnist/ layout), gzip-compressed or raw:
// magic 0x00 0x00 <type> <ndims>, ndims big-endian uint32 sizes, then the values.
#pragma once
#include <string>
#include <vector>

#include "engine/data/labelled_images.h"

namespace fovea::engine {

struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> values;  // unsigned-byte IDX only (type 0x08): images and labels
};

// `name` is used in error messages (normally the file path).
IdxArray parse_idx(const std::vector<uint8_t>& bytes, const std::string& name, bool header_only = false);
IdxArray read_idx(const std::string& path);
std::vector<int64_t> read_idx_dims(const std::string& path);  // reads the header only

// An images file ([N, rows, cols] or [N, rows, cols, channels]) with its labels file ([N]).
// limit > 0 keeps the first `limit` samples.
LabelledImages read_idx_images(const std::string& images_path, const std::string& labels_path, int64_t limit);

}  // namespace fovea::engine
