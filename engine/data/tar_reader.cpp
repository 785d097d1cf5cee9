#include "engine/data/tar_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "engine/errors.h"

namespace fovea::engine {
namespace {

namespace fs = std::filesystem;
constexpr size_t kBlock = 512;

// A sequential reader over gzip (or plain, which zlib passes through) data.
class GzStream {
 public:
  explicit GzStream(const std::string& path) : path_(path), gz_(gzopen(path.c_str(), "rb")) {
    if (!gz_) throw Error("cannot read " + path + ": " + std::strerror(errno));
    gzbuffer(gz_, 1 << 20);
  }
  ~GzStream() { gzclose(gz_); }
  GzStream(const GzStream&) = delete;
  GzStream& operator=(const GzStream&) = delete;

  // Up to `size` bytes; fewer only at the end of the data.
  size_t read(void* out, size_t size) {
    size_t done = 0;
    while (done < size) {
      const unsigned chunk = static_cast<unsigned>(std::min<size_t>(size - done, 1u << 30));
      const int n = gzread(gz_, static_cast<char*>(out) + done, chunk);
      if (n < 0) {
        int code = 0;
        throw DatasetError(path_ + ": corrupt gzip data (" + gzerror(gz_, &code) + ")");
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    return done;
  }

  void read_exactly(void* out, size_t size, const std::string& what) {
    if (read(out, size) != size) throw DatasetError(path_ + ": archive ends in the middle of " + what + " (truncated)");
  }

 private:
  std::string path_;
  gzFile gz_;
};

std::string field(const char* p, size_t n) { return std::string(p, strnlen(p, n)); }

// Octal, space/NUL-padded; or base-256 (high bit of the first byte set) for sizes of 8 GiB and more.
int64_t number(const std::string& archive, const char* p, size_t n) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  if (u[0] & 0x80) {
    int64_t v = u[0] & 0x3f;
    for (size_t i = 1; i < n; ++i) {
      if (v > (INT64_MAX >> 8)) throw DatasetError(archive + ": tar header number out of range");
      v = (v << 8) | u[i];
    }
    return v;
  }
  int64_t v = 0;
  size_t i = 0;
  while (i < n && p[i] == ' ') ++i;
  for (; i < n && p[i] >= '0' && p[i] <= '7'; ++i) {
    if (v > (INT64_MAX >> 3)) throw DatasetError(archive + ": tar header number out of range");
    v = v * 8 + (p[i] - '0');
  }
  for (; i < n; ++i) {
    if (p[i] != ' ' && p[i] != '\0') throw DatasetError(archive + ": not a tar archive (bad number in a header)");
  }
  return v;
}

bool header_checksum_ok(const std::string& archive, const unsigned char* h) {
  int64_t sum = 0;
  for (size_t i = 0; i < kBlock; ++i) sum += (i >= 148 && i < 156) ? ' ' : h[i];
  return sum == number(archive, reinterpret_cast<const char*>(h) + 148, 8);
}

bool all_zero(const unsigned char* h) {
  return std::all_of(h, h + kBlock, [](unsigned char c) { return c == 0; });
}

// The "path" record of a pax extended header ("LEN path=VALUE\n" records), or empty.
std::string pax_path(const std::string& data) {
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t space = data.find(' ', pos);
    if (space == std::string::npos) break;
    const size_t length = std::strtoull(data.c_str() + pos, nullptr, 10);
    if (length == 0 || pos + length > data.size()) break;
    const std::string record = data.substr(space + 1, pos + length - space - 2);  // without the newline
    if (record.rfind("path=", 0) == 0) return record.substr(5);
    pos += length;
  }
  return {};
}

void write_file(GzStream& in, const fs::path& target, int64_t size, const std::string& entry,
                TarContents& contents, const std::function<void(int64_t)>& progress) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::fopen(target.c_str(), "wb"), std::fclose);
  if (!out) throw Error("cannot write " + target.string() + ": " + std::strerror(errno));
  std::vector<char> buffer(1 << 20);
  int64_t left = size;
  while (left > 0) {
    const size_t n = static_cast<size_t>(std::min<int64_t>(left, static_cast<int64_t>(buffer.size())));
    in.read_exactly(buffer.data(), n, entry);
    if (std::fwrite(buffer.data(), 1, n, out.get()) != n)
      throw Error("cannot write " + target.string() + ": " + std::strerror(errno));
    left -= static_cast<int64_t>(n);
    contents.bytes += static_cast<int64_t>(n);
    if (progress) progress(contents.bytes);
  }
  if (std::fclose(out.release()) != 0) throw Error("cannot write " + target.string() + ": " + std::strerror(errno));
  const size_t padding = static_cast<size_t>((kBlock - size % kBlock) % kBlock);
  char pad[kBlock];
  in.read_exactly(pad, padding, entry);
}

std::string read_data(GzStream& in, int64_t size, const std::string& archive, const std::string& what) {
  if (size > (1 << 20)) throw DatasetError(archive + ": implausibly large " + what + " (" + std::to_string(size) + " bytes)");
  const size_t padded = static_cast<size_t>((size + kBlock - 1) / kBlock * kBlock);
  std::string data(padded, '\0');
  in.read_exactly(data.data(), padded, what);
  data.resize(static_cast<size_t>(size));
  return data;
}

void skip(GzStream& in, int64_t size, const std::string& what) {
  int64_t left = (size + kBlock - 1) / kBlock * kBlock;
  char buffer[64 * kBlock];
  while (left > 0) {
    const size_t n = static_cast<size_t>(std::min<int64_t>(left, sizeof buffer));
    in.read_exactly(buffer, n, what);
    left -= static_cast<int64_t>(n);
  }
}

}  // namespace

std::string safe_entry_path(const std::string& archive, const std::string& entry) {
  if (entry.empty()) throw DatasetError(archive + ": an entry has an empty name");
  if (entry.front() == '/')
    throw DatasetError(archive + ": entry '" + entry + "' has an absolute path; refusing to extract this archive");
  std::string out;
  size_t pos = 0;
  while (pos <= entry.size()) {
    size_t end = entry.find('/', pos);
    if (end == std::string::npos) end = entry.size();
    const std::string part = entry.substr(pos, end - pos);
    if (part == "..")
      throw DatasetError(archive + ": entry '" + entry + "' points outside the folder (..); refusing to extract this archive");
    if (!part.empty() && part != ".") out += (out.empty() ? "" : "/") + part;
    pos = end + 1;
  }
  return out;  // empty for "./": the folder itself
}

TarContents extract_tar(const std::string& archive, const std::string& folder, const std::function<void(int64_t)>& progress) {
  GzStream in(archive);
  TarContents contents;
  const fs::path root(folder);
  std::string long_name;  // from a GNU 'L' or pax 'x' entry, for the next entry
  unsigned char h[kBlock];
  bool any = false;
  for (;;) {
    const size_t got = in.read(h, kBlock);
    if (got == 0 && any) break;  // some writers omit the two zero blocks
    if (got != kBlock) throw DatasetError(archive + ": not a tar archive, or truncated (short header)");
    if (all_zero(h)) break;
    if (!header_checksum_ok(archive, h)) throw DatasetError(archive + ": not a tar archive, or corrupt (header checksum)");
    any = true;

    const char* c = reinterpret_cast<const char*>(h);
    const int64_t size = number(archive, c + 124, 12);
    const char type = c[156];
    std::string name = field(c, 100);
    if (std::memcmp(c + 257, "ustar\0", 6) == 0 && c[345]) name = field(c + 345, 155) + "/" + name;
    if (!long_name.empty()) {
      name = long_name;
      long_name.clear();
    }

    if (type == 'L') {
      long_name = field(read_data(in, size, archive, "a long name").c_str(), static_cast<size_t>(size));
      continue;
    }
    if (type == 'x') {
      long_name = pax_path(read_data(in, size, archive, "a pax header"));
      continue;
    }
    if (type == 'g' || type == 'K') {  // global pax settings, GNU long link names: nothing we need
      skip(in, size, "a pax header");
      continue;
    }
    const std::string relative = safe_entry_path(archive, name);
    if (type == '5') {
      if (!relative.empty()) fs::create_directories(root / relative);
    } else if (type == '0' || type == '\0' || type == '7') {
      if (relative.empty()) throw DatasetError(archive + ": file entry '" + name + "' has no file name");
      const fs::path target = root / relative;
      fs::create_directories(target.parent_path());
      write_file(in, target, size, name, contents, progress);
      ++contents.files;
    } else {
      throw DatasetError(archive + ": entry '" + name + "' is a link or special file (tar type '" + std::string(1, type) +
                         "'); a data set archive holds only files and folders, refusing to extract it");
    }
    if (!relative.empty()) {
      const std::string top = relative.substr(0, relative.find('/'));
      if (std::find(contents.top_level.begin(), contents.top_level.end(), top) == contents.top_level.end())
        contents.top_level.push_back(top);
    }
  }
  if (!any) throw DatasetError(archive + ": empty tar archive");
  return contents;
}

}  // namespace fovea::engine
