#include "engine/data/cifar_reader.h"

#include <fstream>
#include <stdexcept>

#include "engine/errors.h"
#include "engine/io/file_bytes.h"

namespace fovea::engine {
namespace {

// The records of either version: `label_bytes` labels, then the image. `labels_below[i]` bounds label i.
void parse_records(const std::vector<uint8_t>& bytes, const std::string& name, const char* version,
                   int64_t label_bytes, const int* labels_below, const char* const* label_names, LabelledImages& out) {
  const int64_t record_bytes = label_bytes + kCifarImageBytes;
  if (bytes.empty() || bytes.size() % static_cast<size_t>(record_bytes) != 0)
    throw DatasetError(name + ": " + std::to_string(bytes.size()) + " bytes is not a whole number of " +
                       std::to_string(record_bytes) + "-byte " + version + " records (truncated or not " + version +
                       " binary)");
  const int64_t records = static_cast<int64_t>(bytes.size()) / record_bytes;
  for (int64_t r = 0; r < records; ++r) {
    const uint8_t* record = bytes.data() + r * record_bytes;
    for (int64_t l = 0; l < label_bytes; ++l) {
      if (record[l] >= labels_below[l])
        throw DatasetError(name + ": record " + std::to_string(r) + " has " + label_names[l] + " " +
                           std::to_string(record[l]) + ", " + version + " " + label_names[l] + "s are 0-" +
                           std::to_string(labels_below[l] - 1));
    }
    // The fine label is the last label byte; CIFAR-100's coarse label comes first.
    out.labels.push_back(record[label_bytes - 1]);
    if (label_bytes == 2) out.coarse_labels.push_back(record[0]);
  }
  out.pixels.reserve(out.pixels.size() + static_cast<size_t>(records * kCifarImageBytes));  // one allocation
  for (int64_t r = 0; r < records; ++r) {
    append_cifar_chw_images(std::span(bytes.data() + r * record_bytes + label_bytes, kCifarImageBytes), 1, out);
  }
}

template <typename Parse>
LabelledImages read_batches(const std::vector<std::string>& files, int64_t limit, Parse parse) {
  LabelledImages out;
  for (const std::string& file : files) {
    if (limit > 0 && out.count >= limit) break;
    parse(read_file_bytes(file), file, out);
  }
  out.keep_first(limit);
  return out;
}

}  // namespace

void append_cifar_chw_images(std::span<const uint8_t> chw, int64_t count, LabelledImages& out) {
  constexpr int64_t plane = kCifarSide * kCifarSide;
  if (count < 0 || chw.size() < static_cast<size_t>(count * kCifarImageBytes))
    throw std::invalid_argument("append_cifar_chw_images: fewer bytes than images");
  out.height = out.width = kCifarSide;
  out.channels = 3;
  const size_t start = out.pixels.size();
  out.pixels.resize(start + static_cast<size_t>(count * kCifarImageBytes));
  uint8_t* hwc = out.pixels.data() + start;
  for (int64_t n = 0; n < count; ++n) {
    const uint8_t* planes = chw.data() + n * kCifarImageBytes;
    for (int64_t i = 0; i < plane; ++i) {
      for (int64_t c = 0; c < 3; ++c) *hwc++ = planes[c * plane + i];
    }
  }
  out.count += count;
}

void parse_cifar10_records(const std::vector<uint8_t>& bytes, const std::string& name, LabelledImages& out) {
  static constexpr int below[] = {10};
  static constexpr const char* names[] = {"label"};
  parse_records(bytes, name, "CIFAR-10", 1, below, names, out);
}

void parse_cifar100_records(const std::vector<uint8_t>& bytes, const std::string& name, LabelledImages& out) {
  static constexpr int below[] = {20, 100};
  static constexpr const char* names[] = {"coarse label", "fine label"};
  parse_records(bytes, name, "CIFAR-100", 2, below, names, out);
}

LabelledImages read_cifar10_batches(const std::vector<std::string>& files, int64_t limit) {
  return read_batches(files, limit, parse_cifar10_records);
}

LabelledImages read_cifar100_batches(const std::vector<std::string>& files, int64_t limit) {
  return read_batches(files, limit, parse_cifar100_records);
}

std::vector<std::string> read_class_names_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw DatasetError("cannot read class names from " + path);
  std::vector<std::string> names;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  return names;
}

}  // namespace fovea::engine
