#include "engine/io/zip_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdio>
#include <optional>

#include "engine/errors.h"
#include "engine/io/printable.h"

namespace fovea::engine {
namespace {

// Record signatures and fixed sizes from PKWARE's APPNOTE.TXT.
constexpr uint32_t kLocalHeader = 0x04034b50, kCentralHeader = 0x02014b50, kEndRecord = 0x06054b50,
                   kZip64EndRecord = 0x06064b50, kZip64Locator = 0x07064b50;
constexpr size_t kLocalHeaderSize = 30, kCentralHeaderSize = 46, kEndRecordSize = 22, kZip64EndRecordSize = 56,
                 kZip64LocatorSize = 20;
constexpr uint16_t kZip64ExtraId = 0x0001;
// Deflate cannot expand data by more than about 1032:1; a larger claim is not a real deflate stream.
constexpr uint64_t kMaxDeflateRatio = 1032;

class Bytes {
 public:
  explicit Bytes(const std::vector<uint8_t>& b) : b_(b) {}
  size_t size() const { return b_.size(); }
  bool has(uint64_t offset, uint64_t length) const { return offset <= b_.size() && length <= b_.size() - offset; }
  uint64_t le(uint64_t offset, int n) const {  // callers check has() first
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t{b_[offset + i]} << (8 * i);
    return v;
  }
  std::string_view text(uint64_t offset, uint64_t length) const {
    return {reinterpret_cast<const char*>(b_.data() + offset), static_cast<size_t>(length)};
  }
  const uint8_t* at(uint64_t offset) const { return b_.data() + offset; }

 private:
  const std::vector<uint8_t>& b_;
};

struct Directory {
  uint64_t entries = 0;
  uint64_t size = 0;
  uint64_t offset = 0;
};

[[noreturn]] void zip_fail(const std::string& name, const std::string& what) { throw CheckpointError(name + ": " + what); }

// Why an entry name is refused, or nullopt. Names are paths that a careless extractor would write to:
// '..' components and absolute paths reach outside the archive ("zip slip").
std::optional<std::string> bad_entry_name(std::string_view name) {
  if (name.empty()) return "is empty";
  if (name.find('\0') != std::string_view::npos) return "holds a NUL byte";
  if (name.front() == '/' || name.front() == '\\') return "is an absolute path";
  if (name.size() >= 2 && std::isalpha(static_cast<unsigned char>(name[0])) && name[1] == ':')
    return "starts with a drive letter";
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find_first_of("/\\", start);
    if (end == std::string_view::npos) end = name.size();
    if (name.substr(start, end - start) == "..") return "has a '..' path component";
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace

bool looks_like_zip(std::span<const uint8_t> bytes) {
  return bytes.size() >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4;
}

ZipReader::ZipReader(std::shared_ptr<const std::vector<uint8_t>> archive, std::string name, uint64_t max_inflated_size)
    : archive_(std::move(archive)), name_(std::move(name)), max_inflated_size_(max_inflated_size) {
  const Bytes b(*archive_);
  if (b.size() < kEndRecordSize) zip_fail(name_, "too short to be a zip archive");

  // The end record is the last thing in the file but for a comment of up to 65535 bytes.
  std::optional<uint64_t> end;
  const uint64_t lowest = b.size() > kEndRecordSize + 0xFFFF ? b.size() - kEndRecordSize - 0xFFFF : 0;
  for (uint64_t pos = b.size() - kEndRecordSize + 1; pos-- > lowest;) {
    if (b.le(pos, 4) == kEndRecord && pos + kEndRecordSize + b.le(pos + 20, 2) <= b.size()) {
      end = pos;
      break;
    }
  }
  if (!end) zip_fail(name_, "not a zip archive, or a truncated one (no end of central directory record)");
  const uint64_t disk = b.le(*end + 4, 2), directory_disk = b.le(*end + 6, 2);
  const uint64_t entries_here = b.le(*end + 8, 2);
  Directory dir{b.le(*end + 10, 2), b.le(*end + 12, 4), b.le(*end + 16, 4)};
  uint64_t directory_end = *end;

  // ZIP64: a locator right before the end record points to a 64-bit end record (torch always writes one).
  if (*end >= kZip64LocatorSize && b.le(*end - kZip64LocatorSize, 4) == kZip64Locator) {
    const uint64_t locator = *end - kZip64LocatorSize;
    const uint64_t record = b.le(locator + 8, 8);
    if (b.le(locator + 4, 4) != 0 || b.le(locator + 16, 4) > 1) zip_fail(name_, "is a multi-part zip archive, which is not supported");
    if (record > locator || !b.has(record, kZip64EndRecordSize) || b.le(record, 4) != kZip64EndRecord)
      zip_fail(name_, "has a ZIP64 locator that points to no ZIP64 end record");
    if (b.le(record + 16, 4) != 0 || b.le(record + 20, 4) != 0 || b.le(record + 24, 8) != b.le(record + 32, 8))
      zip_fail(name_, "is a multi-part zip archive, which is not supported");
    dir = {b.le(record + 32, 8), b.le(record + 40, 8), b.le(record + 48, 8)};
    directory_end = record;
  } else {
    if (disk != 0 || directory_disk != 0 || entries_here != dir.entries)
      zip_fail(name_, "is a multi-part zip archive, which is not supported");
    if (dir.entries == 0xFFFF || dir.size == 0xFFFFFFFF || dir.offset == 0xFFFFFFFF)
      zip_fail(name_, "needs a ZIP64 end record that is missing (truncated file?)");
  }
  if (dir.offset > directory_end || dir.size > directory_end - dir.offset)
    zip_fail(name_, "has a central directory outside the file (offset " + std::to_string(dir.offset) + ", " +
         std::to_string(dir.size) + " bytes; truncated file?)");
  if (dir.entries > dir.size / kCentralHeaderSize) zip_fail(name_, "claims more entries than its central directory holds");

  entries_.reserve(static_cast<size_t>(dir.entries));
  uint64_t pos = dir.offset;
  const uint64_t directory_stop = dir.offset + dir.size;
  for (uint64_t i = 0; i < dir.entries; ++i) {
    if (pos + kCentralHeaderSize > directory_stop || b.le(pos, 4) != kCentralHeader)
      zip_fail(name_, "has a corrupt central directory (entry " + std::to_string(i) + ")");
    const uint64_t flags = b.le(pos + 8, 2), name_length = b.le(pos + 28, 2), extra_length = b.le(pos + 30, 2),
                   comment_length = b.le(pos + 32, 2);
    const uint64_t record_end = pos + kCentralHeaderSize + name_length + extra_length + comment_length;
    if (record_end > directory_stop) zip_fail(name_, "has a corrupt central directory (entry " + std::to_string(i) + ")");
    ZipEntry e;
    e.name = std::string(b.text(pos + kCentralHeaderSize, name_length));
    const std::string shown = "zip entry '" + printable(e.name) + "'";
    if (const auto why = bad_entry_name(e.name)) zip_fail(name_, shown + " " + *why + "; Fovea refuses such names");
    e.method = static_cast<uint16_t>(b.le(pos + 10, 2));
    e.crc32 = static_cast<uint32_t>(b.le(pos + 16, 4));
    e.compressed_size = b.le(pos + 20, 4);
    e.uncompressed_size = b.le(pos + 24, 4);
    uint64_t start_disk = b.le(pos + 34, 2);
    e.local_header_offset = b.le(pos + 42, 4);
    // The ZIP64 extra field holds, in this order, each of these whose 32-bit field is all ones.
    for (uint64_t x = pos + kCentralHeaderSize + name_length, stop = x + extra_length; x + 4 <= stop;) {
      const uint64_t id = b.le(x, 2), length = b.le(x + 2, 2);
      if (x + 4 + length > stop) zip_fail(name_, shown + " has a corrupt extra field");
      if (id == kZip64ExtraId) {
        uint64_t f = x + 4;
        auto take64 = [&](uint64_t& field, uint64_t all_ones, int width) {
          if (field != all_ones) return;
          if (f + width > x + 4 + length) zip_fail(name_, shown + " has a ZIP64 extra field that is too short");
          field = b.le(f, width);
          f += width;
        };
        take64(e.uncompressed_size, 0xFFFFFFFF, 8);
        take64(e.compressed_size, 0xFFFFFFFF, 8);
        take64(e.local_header_offset, 0xFFFFFFFF, 8);
        take64(start_disk, 0xFFFF, 4);
      }
      x += 4 + length;
    }
    if (flags & 0x41) zip_fail(name_, shown + " is encrypted, which is not supported");
    if (e.method != 0 && e.method != 8)
      zip_fail(name_, shown + " uses compression method " + std::to_string(e.method) + " (only stored and deflated are supported)");
    if (start_disk != 0) zip_fail(name_, "is a multi-part zip archive, which is not supported");
    if (e.method == 0 && e.compressed_size != e.uncompressed_size)
      zip_fail(name_, shown + " is stored but its sizes differ (" + std::to_string(e.compressed_size) + " and " +
           std::to_string(e.uncompressed_size) + ")");
    if (e.method == 8 && e.uncompressed_size > e.compressed_size * kMaxDeflateRatio + 1024)
      zip_fail(name_, shown + " claims " + std::to_string(e.uncompressed_size) + " bytes from " + std::to_string(e.compressed_size) +
           " compressed ones, more than deflate can produce (a zip bomb?)");

    // The local header repeats the name; its extra field may differ (torch pads there for alignment).
    const uint64_t local = e.local_header_offset;
    if (local >= dir.offset || !b.has(local, kLocalHeaderSize) || b.le(local, 4) != kLocalHeader)
      zip_fail(name_, shown + " has no local header where the directory says (offset " + std::to_string(local) + ")");
    const uint64_t local_name = b.le(local + 26, 2), local_extra = b.le(local + 28, 2);
    e.data_offset = local + kLocalHeaderSize + local_name + local_extra;
    if (!b.has(local + kLocalHeaderSize, local_name) || b.text(local + kLocalHeaderSize, local_name) != e.name)
      zip_fail(name_, shown + " has a different name in its local header");
    if (e.data_offset > dir.offset || e.compressed_size > dir.offset - e.data_offset)
      zip_fail(name_, shown + " has data that runs past the end of the entries (truncated file?)");
    if (!index_.emplace(e.name, entries_.size()).second) zip_fail(name_, shown + " appears twice");
    entries_.push_back(std::move(e));
    pos = record_end;
  }

  // Entries may not share bytes: overlapping entries are how the worst zip bombs multiply their output.
  std::vector<const ZipEntry*> by_offset;
  for (const ZipEntry& e : entries_) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const ZipEntry* a, const ZipEntry* c) { return a->local_header_offset < c->local_header_offset; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    const ZipEntry& prev = *by_offset[i - 1];
    if (prev.data_offset + prev.compressed_size > by_offset[i]->local_header_offset)
      zip_fail(name_, "zip entries '" + printable(prev.name) + "' and '" + printable(by_offset[i]->name) + "' overlap");
  }
}

const ZipEntry* ZipReader::find(std::string_view entry_name) const {
  const auto it = index_.find(std::string(entry_name));
  return it == index_.end() ? nullptr : &entries_[it->second];
}

ZipData ZipReader::read(const ZipEntry& e) const {
  const std::string shown = name_ + ": zip entry '" + printable(e.name) + "'";
  const uint8_t* source = archive_->data() + e.data_offset;
  ZipData result;
  if (e.method == 0) {
    result.data = std::shared_ptr<const uint8_t>(archive_, source);  // shares the archive's ownership
    result.size = static_cast<size_t>(e.uncompressed_size);
  } else {
    if (e.uncompressed_size > max_inflated_size_)
      throw CheckpointError(shown + " inflates to " + std::to_string(e.uncompressed_size) + " bytes, more than the " +
                            std::to_string(max_inflated_size_) + "-byte limit");
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) throw CheckpointError(shown + ": cannot start zlib");
    struct End {
      z_stream* z;
      ~End() { inflateEnd(z); }
    } end{&z};
    // The output grows with what inflate really produces, never past one byte more than declared:
    // a lying size costs no memory up front, and the extra byte shows that the stream runs on.
    const uint64_t declared = e.uncompressed_size;
    auto out = std::make_shared<std::vector<uint8_t>>(
        static_cast<size_t>(std::min<uint64_t>(declared + 1, std::max<uint64_t>(e.compressed_size * 4, 1 << 16))));
    uint64_t in_left = e.compressed_size;
    size_t produced = 0;
    for (;;) {
      if (produced == out->size())
        out->resize(static_cast<size_t>(std::min<uint64_t>(declared + 1, uint64_t{out->size()} * 2)));
      z.next_in = const_cast<uint8_t*>(source);
      z.avail_in = static_cast<uInt>(std::min<uint64_t>(in_left, UINT_MAX));
      z.next_out = out->data() + produced;
      z.avail_out = static_cast<uInt>(std::min<size_t>(out->size() - produced, UINT_MAX));
      const uInt in_before = z.avail_in, out_before = z.avail_out;
      const int rc = inflate(&z, Z_NO_FLUSH);
      source += in_before - z.avail_in;
      in_left -= in_before - z.avail_in;
      produced += out_before - z.avail_out;
      if (produced > declared)
        throw CheckpointError(shown + " inflates to more than its declared " + std::to_string(declared) +
                              " bytes (a zip bomb?)");
      if (rc == Z_STREAM_END) break;
      if (rc != Z_OK && rc != Z_BUF_ERROR)
        throw CheckpointError(shown + " holds corrupt deflate data" + (z.msg ? std::string(" (") + z.msg + ")" : ""));
      if (in_before == z.avail_in && out_before == z.avail_out && produced < out->size())
        throw CheckpointError(shown + " ends before its deflate stream does (truncated file?)");
    }
    if (produced != declared)
      throw CheckpointError(shown + " inflates to " + std::to_string(produced) + " bytes, not its declared " +
                            std::to_string(declared));
    out->resize(produced);
    result.size = produced;
    result.data = std::shared_ptr<const uint8_t>(out, out->data());
  }
  const uint32_t crc = static_cast<uint32_t>(crc32_z(0L, result.data.get(), result.size));
  if (crc != e.crc32) {
    char detail[64];
    std::snprintf(detail, sizeof detail, " (stored %08x, computed %08x)", e.crc32, crc);
    throw CheckpointError(shown + " fails its CRC-32 check" + detail + "; the file is corrupt");
  }
  return result;
}

}  // namespace fovea::engine
