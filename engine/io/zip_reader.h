// A read-only ZIP reader over a byte buffer: PyTorch's checkpoints since torch.save 1.6 are zip
// archives (stored entries, 64-byte aligned through padding in the local headers, ZIP64 end records).
// Archives are untrusted input, so everything is validated before use: the end records and central
// directory (ZIP64 too) lie inside the buffer, every entry's local header matches its central one and
// its data lies inside the buffer without overlapping another entry, entry names with '..' components
// or absolute paths are refused, deflated entries never inflate past their declared size (a zip bomb
// stops there), and every entry read is checked against its CRC-32.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fovea::engine {

struct ZipEntry {
  std::string name;
  uint16_t method = 0;  // 0 stored, 8 deflated
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t local_header_offset = 0;
  uint64_t data_offset = 0;  // start of the entry's stored or compressed bytes
};

// An entry's content. Stored entries are not copied: `data` shares ownership of the archive buffer.
struct ZipData {
  std::shared_ptr<const uint8_t> data;
  size_t size = 0;
  std::span<const uint8_t> span() const { return {data.get(), size}; }
};

class ZipReader {
 public:
  static constexpr uint64_t kDefaultMaxInflatedSize = uint64_t{4} << 30;

  // Parses and validates the directory; throws CheckpointError naming `name` (the file, for messages).
  // A deflated entry may not declare more than `max_inflated_size` bytes.
  ZipReader(std::shared_ptr<const std::vector<uint8_t>> archive, std::string name,
            uint64_t max_inflated_size = kDefaultMaxInflatedSize);

  const std::string& name() const { return name_; }
  const std::vector<ZipEntry>& entries() const { return entries_; }  // in central-directory order
  const ZipEntry* find(std::string_view entry_name) const;
  // The entry's bytes, CRC-checked; throws CheckpointError naming the file and the entry.
  ZipData read(const ZipEntry& entry) const;

 private:
  std::shared_ptr<const std::vector<uint8_t>> archive_;
  std::string name_;
  uint64_t max_inflated_size_;
  std::vector<ZipEntry> entries_;
  std::unordered_map<std::string, size_t> index_;
};

// True when the bytes start like a zip archive (a local file header), as torch.load decides.
bool looks_like_zip(std::span<const uint8_t> bytes);

}  // namespace fovea::engine
