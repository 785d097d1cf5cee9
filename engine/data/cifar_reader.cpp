#include "engine/data/cifar_reader.h"

#include <fstream>

#include "engine/errors.h"
#include "engine/io/file_bytes.h"

namespace fovea::engine {

void parse_cifar10_records(const std::vector<uint8_t>& bytes, const std::string& name, LabelledImages& out) {
  if (bytes.empty() || bytes.size() % kCifar10RecordBytes != 0)
    throw DatasetError(name + ": " + std::to_string(bytes.size()) +
                       " bytes is not a whole number of 3073-byte CIFAR-10 records (truncated or not CIFAR-10 binary)");
  const int64_t records = static_cast<int64_t>(bytes.size()) / kCifar10RecordBytes;
  constexpr int64_t plane = kCifarSide * kCifarSide;
  out.height = out.width = kCifarSide;
  out.channels = 3;
  out.pixels.reserve(out.pixels.size() + static_cast<size_t>(records * 3 * plane));
  for (int64_t r = 0; r < records; ++r) {
    const uint8_t* record = bytes.data() + r * kCifar10RecordBytes;
    if (record[0] > 9)
      throw DatasetError(name + ": record " + std::to_string(r) + " has label " + std::to_string(record[0]) +
                         ", CIFAR-10 labels are 0-9");
    out.labels.push_back(record[0]);
    const uint8_t* planes = record + 1;
    for (int64_t i = 0; i < plane; ++i) {
      for (int64_t c = 0; c < 3; ++c) out.pixels.push_back(planes[c * plane + i]);
    }
  }
  out.count += records;
}

LabelledImages read_cifar10_batches(const std::vector<std::string>& files, int64_t limit) {
  LabelledImages out;
  for (const std::string& file : files) {
    if (limit > 0 && out.count >= limit) break;
    parse_cifar10_records(read_file_bytes(file), file, out);
  }
  if (limit > 0 && out.count > limit) {
    out.count = limit;
    out.labels.resize(static_cast<size_t>(limit));
    out.pixels.resize(static_cast<size_t>(limit * out.height * out.width * out.channels));
  }
  return out;
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
